//! How a prepared folder's record ids name its rows: the tool's own tagged ids (the row is in the id), or the
//! ids of a job made elsewhere ("0", UUIDs, any text), listed in row order in the folder's mapping file.
//!
//! Listed ids are held compactly — one text buffer, its offsets, and a sorted table of (hash, row) — so a
//! million UUIDs take about 60 MB, not a map of strings per id.

use std::borrow::Cow;
use std::path::Path;

use crate::record_id::{RecordIdScheme, fnv1a};

/// The ids of a prepared folder's rows.
#[derive(Debug, Clone)]
pub enum RecordKeys {
    /// The tool's ids: a run tag and the row number.
    Tagged(RecordIdScheme),
    /// Ids listed per row (a job opened from elsewhere).
    Listed(ListedIds),
}

impl RecordKeys {
    /// The 1-based row `id` names, or `None` for an id of no row.
    pub fn row_of(&self, id: &str) -> Option<u64> {
        match self {
            Self::Tagged(scheme) => scheme.row_of(id),
            Self::Listed(listed) => listed.row_of(id),
        }
    }

    /// The id of 1-based row `row` (empty for a listed row without one).
    pub fn id_for(&self, row: u64) -> Cow<'_, str> {
        match self {
            Self::Tagged(scheme) => Cow::Owned(scheme.id_for(row)),
            Self::Listed(listed) => Cow::Borrowed(listed.id_of(row).unwrap_or("")),
        }
    }
}

/// Record ids by row, with a look-up from id to row.
#[derive(Debug, Clone, Default)]
pub struct ListedIds {
    text: String,
    /// Where each row's id ends in `text` (row `r` is `ends[r-2]..ends[r-1]`).
    ends: Vec<usize>,
    /// (hash of the id, row), sorted; rows without an id are left out.
    lookup: Vec<(u64, u32)>,
}

/// Why listed ids could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListedIdsError {
    /// The mapping file could not be read.
    #[error("{}: cannot read the record ids: {source}", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: csv::Error,
    },
    /// The file is not a list of ids in row order.
    #[error("{}: line {line}: {detail}", path.display())]
    Malformed {
        /// The file.
        path: std::path::PathBuf,
        /// The 1-based line.
        line: u64,
        /// What is wrong.
        detail: String,
    },
}

impl ListedIds {
    /// Builds the look-up from ids given in row order (an empty id: a row without a record).
    pub fn from_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Self {
        let mut listed = Self::default();
        for id in ids {
            listed.push(id);
        }
        listed.seal();
        listed
    }

    fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    fn seal(&mut self) {
        let mut lookup: Vec<(u64, u32)> = (1..=self.ends.len() as u64)
            .filter_map(|row| {
                let id = self.id_of(row)?;
                (!id.is_empty()).then(|| (fnv1a(id.as_bytes(), 0), row as u32))
            })
            .collect();
        lookup.sort_unstable();
        self.lookup = lookup;
    }

    /// Reads a mapping file (`record_id,row` with a header, rows 1, 2, 3 … in order).
    pub fn read(path: &Path) -> Result<Self, ListedIdsError> {
        let read = |source| ListedIdsError::Read { path: path.to_path_buf(), source };
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(read)?;
        let mut listed = Self::default();
        let mut record = csv::StringRecord::new();
        let mut line = 1u64;
        while reader.read_record(&mut record).map_err(read)? {
            line += 1;
            let row: Option<u64> = record.get(1).and_then(|r| r.parse().ok());
            let expected = listed.ends.len() as u64 + 1;
            if row != Some(expected) || expected > u64::from(u32::MAX) {
                return Err(ListedIdsError::Malformed {
                    path: path.to_path_buf(),
                    line,
                    detail: format!("expected row {expected}, found {:?}", record.get(1).unwrap_or("")),
                });
            }
            listed.push(record.get(0).unwrap_or(""));
        }
        listed.seal();
        Ok(listed)
    }

    /// How many rows are listed.
    pub fn rows(&self) -> u64 {
        self.ends.len() as u64
    }

    /// The id of 1-based `row`, if listed.
    pub fn id_of(&self, row: u64) -> Option<&str> {
        let index = usize::try_from(row).ok()?.checked_sub(1)?;
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        self.text.get(start..end)
    }

    /// The first row whose id is `id`.
    pub fn row_of(&self, id: &str) -> Option<u64> {
        let hash = fnv1a(id.as_bytes(), 0);
        let from = self.lookup.partition_point(|&(h, _)| h < hash);
        self.lookup[from..]
            .iter()
            .take_while(|&&(h, _)| h == hash)
            .map(|&(_, row)| u64::from(row))
            .filter(|&row| self.id_of(row) == Some(id))
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_ids_find_their_rows_whatever_the_text() {
        let listed = ListedIds::from_ids(["0", "1", "10", "", "3f2b8c1e-7d4a-4b9e-9c1a-2e5f6a7b8c9d", "café 😀"]);
        assert_eq!(listed.rows(), 6);
        assert_eq!(listed.row_of("0"), Some(1));
        assert_eq!(listed.row_of("10"), Some(3));
        assert_eq!(listed.row_of("3f2b8c1e-7d4a-4b9e-9c1a-2e5f6a7b8c9d"), Some(5));
        assert_eq!(listed.row_of("café 😀"), Some(6));
        assert_eq!(listed.row_of(""), None, "a row without an id is never matched");
        assert_eq!(listed.row_of("01"), None);
        assert_eq!(listed.id_of(4), Some(""));
        assert_eq!(listed.id_of(6), Some("café 😀"));
        assert_eq!(listed.id_of(7), None);
        assert_eq!(listed.id_of(0), None);
        let keys = RecordKeys::Listed(listed);
        assert_eq!(keys.id_for(2), "1");
        assert_eq!(keys.row_of("1"), Some(2));
    }

    #[test]
    fn a_mapping_file_is_read_in_row_order_and_a_gap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.csv");
        std::fs::write(&path, "record_id,row\nabc,1\n\"a,b\",2\n,3\n").unwrap();
        let listed = ListedIds::read(&path).unwrap();
        assert_eq!((listed.row_of("a,b"), listed.id_of(3)), (Some(2), Some("")));
        std::fs::write(&path, "record_id,row\nabc,1\nxyz,3\n").unwrap();
        let error = ListedIds::read(&path).unwrap_err().to_string();
        assert!(error.contains("line 3") && error.contains("expected row 2"), "{error}");
    }
}
