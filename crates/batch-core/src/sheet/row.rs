//! One data row of a sheet: its cells as text and where it came from.

/// A reusable row buffer: one text cell per header plus the row's 1-based data-row number.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub(crate) cells: csv::StringRecord,
    pub(crate) number: u64,
}

impl Row {
    /// An empty row buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text of cell `index` ("" when out of range).
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).unwrap_or("")
    }

    /// How many cells the row has.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// True when the row has no cells.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cells in column order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.cells.iter()
    }

    /// The bytes of text in all its cells.
    pub fn text_len(&self) -> usize {
        self.cells.as_slice().len()
    }

    /// The 1-based position of this row among the data rows (the header is row 0).
    pub fn number(&self) -> u64 {
        self.number
    }

    /// Builds a row from cell texts (tests and in-memory sources).
    pub fn from_cells<I, S>(number: u64, cells: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut record = csv::StringRecord::new();
        for cell in cells {
            record.push_field(cell.as_ref());
        }
        Self { cells: record, number }
    }

    pub(crate) fn clear(&mut self) {
        self.cells.clear();
    }

    pub(crate) fn push(&mut self, cell: &str) {
        self.cells.push_field(cell);
    }
}
