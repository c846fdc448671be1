//! Third-party parsers can panic on damaged files; this turns such a panic into an import error.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use super::{ImportError, SheetFormat};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// True while a third-party parser runs under the guard on this thread: a panic hook may stay quiet, because
/// the panic becomes an [`ImportError`].
pub fn is_guarded() -> bool {
    GUARDED.with(Cell::get)
}

/// Runs `parse`, converting a panic inside it into "damaged file" for `path`.
pub(crate) fn guarded<T>(
    path: &Path,
    format: SheetFormat,
    parse: impl FnOnce() -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    let outer = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(parse));
    GUARDED.with(|g| g.set(outer));
    result.unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".into());
        Err(ImportError::not_a_sheet(
            path,
            &format!(
                "the {format} file is damaged (its reader failed: {reason}); re-save it from the program that made it"
            ),
        ))
    })
}
