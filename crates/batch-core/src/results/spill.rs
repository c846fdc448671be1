//! Compact outcomes spilled to bucket files by row range, so the join can stream the sheet in order while
//! holding only one bucket in memory.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::outcome::{Outcome, Status};
use crate::service_tier::Tier;

/// One output line's outcome and where it came from (for a deterministic choice among duplicates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpilledOutcome {
    /// 1-based data row.
    pub row: u64,
    /// Index of the output file, in sorted path order.
    pub file: u32,
    /// 1-based line in that file.
    pub line: u64,
    /// Succeeded or failed.
    pub status: Status,
    /// The extracted fields.
    pub outcome: Outcome,
}

impl SpilledOutcome {
    /// Sort key: by row, then answers in full first, then answers that fell short of the answer shape (so a
    /// retry's good answer wins over an earlier invalid one), then failures; then earliest file and line.
    pub fn preference(&self) -> (u64, u8, u32, u64) {
        let rank = match self.status {
            Status::Succeeded => 0,
            Status::Invalid | Status::Truncated | Status::Empty => 1,
            Status::Failed | Status::Missing => 2,
        };
        (self.row, rank, self.file, self.line)
    }
}

/// Which rows go to which bucket.
#[derive(Debug, Clone, Copy)]
pub struct Buckets {
    /// Rows per bucket.
    pub rows_per_bucket: u64,
    /// Number of buckets.
    pub count: usize,
}

impl Buckets {
    /// Buckets of at least 16,384 rows, at most 256 of them.
    pub fn for_rows(rows: u64) -> Self {
        let rows_per_bucket = rows.div_ceil(256).max(16_384);
        Self { rows_per_bucket, count: rows.div_ceil(rows_per_bucket).max(1) as usize }
    }

    /// The bucket of 1-based `row`.
    pub fn of(&self, row: u64) -> usize {
        ((row - 1) / self.rows_per_bucket) as usize
    }
}

/// One thread's set of bucket files.
pub struct BucketWriter {
    writers: Vec<BufWriter<File>>,
    paths: Vec<PathBuf>,
    buckets: Buckets,
}

fn put_u64(out: &mut impl Write, value: u64) -> std::io::Result<()> {
    out.write_all(&value.to_le_bytes())
}

fn put_text(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    put_u64(out, text.len() as u64)?;
    out.write_all(text.as_bytes())
}

fn put_tokens(out: &mut impl Write, tokens: Option<u64>) -> std::io::Result<()> {
    put_u64(out, tokens.map_or(u64::MAX, |t| t.min(u64::MAX - 1)))
}

impl BucketWriter {
    /// Creates `buckets.count` files named `<prefix>-<bucket>.spill` in `dir`.
    pub fn create(dir: &Path, prefix: &str, buckets: Buckets) -> std::io::Result<Self> {
        let mut writers = Vec::with_capacity(buckets.count);
        let mut paths = Vec::with_capacity(buckets.count);
        for bucket in 0..buckets.count {
            let path = dir.join(format!("{prefix}-{bucket}.spill"));
            writers.push(BufWriter::with_capacity(32 * 1024, File::create(&path)?));
            paths.push(path);
        }
        Ok(Self { writers, paths, buckets })
    }

    /// Appends one outcome to its row's bucket.
    pub fn write(&mut self, item: &SpilledOutcome) -> std::io::Result<()> {
        let out = &mut self.writers[self.buckets.of(item.row)];
        put_u64(out, item.row)?;
        put_u64(out, u64::from(item.file))?;
        put_u64(out, item.line)?;
        out.write_all(&[status_byte(item.status), tier_byte(item.outcome.tier)])?;
        put_tokens(out, item.outcome.input_tokens)?;
        put_tokens(out, item.outcome.output_tokens)?;
        put_tokens(out, item.outcome.cache_read_tokens)?;
        put_tokens(out, item.outcome.cache_write_tokens)?;
        put_text(out, &item.outcome.output)?;
        put_text(out, &item.outcome.error)?;
        put_text(out, &item.outcome.stop_reason)
    }

    /// Flushes every file and returns their paths, by bucket.
    pub fn finish(self) -> std::io::Result<Vec<PathBuf>> {
        for mut writer in self.writers {
            writer.flush()?;
        }
        Ok(self.paths)
    }
}

/// A row's tier as one byte (0 for none).
/// A status as one byte: its place in [`Status::ALL`].
fn status_byte(status: Status) -> u8 {
    Status::ALL.iter().position(|s| *s == status).unwrap_or(1) as u8
}

fn tier_byte(tier: Option<Tier>) -> u8 {
    match tier {
        None => 0,
        Some(Tier::Batch) => 1,
        Some(Tier::OnDemand) => 2,
        Some(Tier::Flex) => 3,
    }
}

fn tier_of_byte(byte: u8) -> Option<Tier> {
    match byte {
        1 => Some(Tier::Batch),
        2 => Some(Tier::OnDemand),
        3 => Some(Tier::Flex),
        _ => None,
    }
}

fn get_u64(input: &mut impl Read) -> std::io::Result<u64> {
    let mut bytes = [0u8; 8];
    input.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

fn get_text(input: &mut impl Read) -> std::io::Result<String> {
    let len = get_u64(input)? as usize;
    let mut bytes = vec![0u8; len];
    input.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

fn get_tokens(input: &mut impl Read) -> std::io::Result<Option<u64>> {
    Ok(Some(get_u64(input)?).filter(|&t| t != u64::MAX))
}

/// Reads every outcome of one bucket file, appending to `into`.
pub fn read_bucket(path: &Path, into: &mut Vec<SpilledOutcome>) -> std::io::Result<()> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut input = BufReader::with_capacity(256 * 1024, file).take(len);
    while input.limit() > 0 {
        let row = get_u64(&mut input)?;
        let file = u32::try_from(get_u64(&mut input)?).unwrap_or(u32::MAX);
        let line = get_u64(&mut input)?;
        let mut flag = [0u8; 2];
        input.read_exact(&mut flag)?;
        let input_tokens = get_tokens(&mut input)?;
        let output_tokens = get_tokens(&mut input)?;
        let cache_read_tokens = get_tokens(&mut input)?;
        let cache_write_tokens = get_tokens(&mut input)?;
        let output = get_text(&mut input)?;
        let error = get_text(&mut input)?;
        let stop_reason = get_text(&mut input)?;
        let status = Status::ALL.get(usize::from(flag[0])).copied().unwrap_or(Status::Failed);
        into.push(SpilledOutcome {
            row,
            file,
            line,
            status,
            outcome: Outcome {
                output,
                error,
                input_tokens,
                output_tokens,
                stop_reason,
                cache_read_tokens,
                cache_write_tokens,
                tier: tier_of_byte(flag[1]),
            },
        });
    }
    Ok(())
}

/// A scratch folder removed when dropped.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// Creates a uniquely named hidden folder inside `parent`.
    pub fn create(parent: &Path) -> std::io::Result<Self> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let path = parent.join(format!(".bedrock-batch-join-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_through_a_bucket_file() {
        let dir = tempfile::tempdir().unwrap();
        let buckets = Buckets::for_rows(40_000);
        assert_eq!((buckets.rows_per_bucket, buckets.count), (16_384, 3));
        let mut writer = BucketWriter::create(dir.path(), "t0", buckets).unwrap();
        let items = [
            SpilledOutcome {
                row: 1,
                file: 0,
                line: 9,
                status: Status::Succeeded,
                outcome: Outcome {
                    output: "héllo\n".into(),
                    error: String::new(),
                    input_tokens: Some(3),
                    output_tokens: None,
                    stop_reason: "end_turn".into(),
                    cache_read_tokens: Some(2048),
                    cache_write_tokens: None,
                    tier: Some(Tier::Flex),
                },
            },
            SpilledOutcome {
                row: 20_000,
                file: 2,
                line: 1,
                status: Status::Failed,
                outcome: Outcome { error: "400: bad".into(), ..Outcome::default() },
            },
        ];
        for item in &items {
            writer.write(item).unwrap();
        }
        let paths = writer.finish().unwrap();
        let mut first = Vec::new();
        read_bucket(&paths[0], &mut first).unwrap();
        assert_eq!(first, [items[0].clone()]);
        let mut second = Vec::new();
        read_bucket(&paths[1], &mut second).unwrap();
        assert_eq!(second, [items[1].clone()]);
    }
}
