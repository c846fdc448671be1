//! Budgets for zipped workbooks (XLSX, ODS): a zip of XML can expand a thousandfold, and a workbook stores a
//! repeated text once however many cells show it, so the text a small file stands for is bounded before and
//! while it is read.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::ImportError;

/// Text a sheet may hold for each byte of its file: ordinary workbooks stay far below it (XML compresses ten-
/// to twentyfold, and cells repeat shared strings in moderation).
const TEXT_PER_FILE_BYTE: u64 = 256;
/// Text any workbook may hold whatever its size.
const TEXT_ALLOWANCE: u64 = 64 * 1024 * 1024;

/// The most text the workbook at `path` may expand to: [`TEXT_ALLOWANCE`] plus [`TEXT_PER_FILE_BYTE`] per byte.
pub(crate) fn text_budget(path: &Path) -> Result<u64, ImportError> {
    let size = std::fs::metadata(path).map_err(|e| ImportError::io(path, e))?.len();
    Ok(TEXT_ALLOWANCE.saturating_add(size.saturating_mul(TEXT_PER_FILE_BYTE)))
}

/// A workbook that expands past its budget: refused, whatever it holds.
pub(crate) fn amplified(path: &Path, detail: &str) -> ImportError {
    ImportError::malformed(
        path,
        "workbook",
        format!(
            "{detail}, far more than a workbook of this size holds, so it is not read (made to exhaust memory?); \
             if it is genuine, re-save it from your spreadsheet program or export the sheet as CSV"
        ),
    )
}

/// Checks the zip before calamine reads it: no part may declare more than `budget` bytes, and the part named
/// `read_whole` (which calamine holds in memory at once) is measured by decompressing it, since a declared
/// size can lie. A file that is not a zip is left to calamine, which says what it is.
pub(crate) fn check(path: &Path, budget: u64, read_whole: &str) -> Result<(), ImportError> {
    let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
    let Ok(mut archive) = zip::ZipArchive::new(BufReader::new(file)) else { return Ok(()) };
    let mut whole = None;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(index) else { continue };
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if entry.size() > budget {
            return Err(amplified(path, &format!("its part {name} expands to {} bytes", entry.size())));
        }
        if name.ends_with(read_whole) {
            whole = Some((index, name));
        }
    }
    if let Some((index, name)) = whole {
        let unreadable = |e: &dyn std::fmt::Display| {
            ImportError::not_a_sheet(path, &format!("its part {name} could not be read ({e}); re-save the workbook"))
        };
        let entry = archive.by_index(index).map_err(|e| unreadable(&e))?;
        let read = std::io::copy(&mut std::io::Read::take(entry, budget + 1), &mut std::io::sink())
            .map_err(|e| unreadable(&e))?;
        if read > budget {
            return Err(amplified(path, &format!("its part {name} expands past {budget} bytes")));
        }
    }
    Ok(())
}
