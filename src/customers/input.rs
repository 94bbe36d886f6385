//! Reading a customer file a record at a time, in bounded memory whatever the file holds.
//!
//! A record longer than [`MAX_RECORD_BYTES`] (in practice, a quote left open that would
//! swallow the rest of the file) stops the read at the line it starts on, before it is
//! held in memory.

use std::io::{self, Read};

use csv::StringRecord;

use super::error::{BadRow, CustomersError, RowProblem};

/// Longest record read; far above any real customer row.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// What one read gave.
#[derive(Debug, PartialEq)]
pub enum Record {
    /// A record with as many cells as the header, starting at this line.
    Read { line: u64 },
    /// A record that is not well-formed, skipped.
    Broken(BadRow),
    /// The end of the file.
    End,
}

/// A CSV reader of customer files: header first, then records with their line numbers.
pub struct CustomerReader<R: Read> {
    csv: csv::Reader<Guarded<R>>,
    /// Line where the record being read starts.
    record_line: u64,
}

impl<R: Read> CustomerReader<R> {
    /// A reader of `input`; the CSV reader buffers it, so it need not be buffered.
    pub fn new(input: R) -> Self {
        let guarded = Guarded { inner: input, window_start: 0, window: Vec::new() };
        let csv = csv::ReaderBuilder::new().has_headers(true).from_reader(guarded);
        Self { csv, record_line: 1 }
    }

    /// The header line's column names.
    pub fn header(&mut self) -> Result<Vec<String>, CustomersError> {
        let header: Vec<String> = match self.csv.headers() {
            Ok(header) => header.iter().map(str::to_owned).collect(),
            Err(error) => return Err(self.fatal(error)),
        };
        if header.iter().all(|name| name.trim().is_empty()) {
            return Err(CustomersError::Empty);
        }
        self.mark();
        Ok(header)
    }

    /// Reads the next record into `record`.
    pub fn read(&mut self, record: &mut StringRecord) -> Result<Record, CustomersError> {
        let outcome = self.csv.read_record(record);
        let open_quote = "a quote is left open: the row runs on over the lines after it";
        let broken = |line, reason: String| {
            Ok(Record::Broken(BadRow { line, problems: vec![RowProblem::Broken { reason }] }))
        };
        let result = match outcome {
            Ok(true) => Ok(Record::Read { line: self.line_of(record.position()) }),
            Ok(false) => Ok(Record::End),
            Err(error) => match broken_row(&error) {
                Some((position, reason)) => {
                    let line = self.line_of(position.as_ref());
                    let runs_on = self.csv.position().line() > line + 1;
                    match runs_on {
                        true => broken(line, format!("{reason}; {open_quote}")),
                        false => broken(line, reason),
                    }
                }
                None => Err(self.fatal(error)),
            },
        };
        self.mark();
        result
    }

    /// The line of a record's first cell. The CSV reader's position is where it started
    /// looking, before any blank lines it skipped; those are counted here.
    fn line_of(&self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else { return self.record_line };
        position.line() + self.csv.get_ref().blank_lines_from(position.byte())
    }

    /// Remembers where the next record starts, so the guard measures only that record.
    fn mark(&mut self) {
        let position = self.csv.position().clone();
        self.csv.get_mut().forget_before(position.byte());
        self.record_line = position.line();
    }

    fn fatal(&self, error: csv::Error) -> CustomersError {
        let line = self.record_line;
        match error.into_kind() {
            csv::ErrorKind::Io(error) if is_too_long(&error) => {
                CustomersError::RecordTooLong { line, limit: MAX_RECORD_BYTES }
            }
            csv::ErrorKind::Io(error) => CustomersError::Read(error),
            csv::ErrorKind::Utf8 { .. } => {
                CustomersError::Header { reason: "it is not valid UTF-8" }
            }
            _ => CustomersError::Header { reason: "it is not well-formed CSV" },
        }
    }
}

/// Where a record-level error happened and why; `None` when the file cannot be read on.
fn broken_row(error: &csv::Error) -> Option<(Option<csv::Position>, String)> {
    match error.kind() {
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
            Some((pos.clone(), format!("it has {len} cells where the header has {expected_len}")))
        }
        csv::ErrorKind::Utf8 { pos, .. } => Some((pos.clone(), "it is not valid UTF-8".to_owned())),
        _ => None,
    }
}

/// The input, refusing to give more than [`MAX_RECORD_BYTES`] past the current record's
/// start, and keeping the bytes since that start to count the blank lines before a record.
struct Guarded<R> {
    inner: R,
    /// Offset of `window[0]`: where the record being read starts.
    window_start: u64,
    window: Vec<u8>,
}

const TOO_LONG: &str = "record too long";

impl<R> Guarded<R> {
    /// Drops the bytes before `offset`, the start of the next record.
    fn forget_before(&mut self, offset: u64) {
        let drop = offset.saturating_sub(self.window_start).min(self.window.len() as u64);
        self.window.drain(..drop as usize);
        self.window_start += drop;
    }

    /// Line breaks between `offset` and the first byte that is not one.
    fn blank_lines_from(&self, offset: u64) -> u64 {
        let skip = offset.saturating_sub(self.window_start) as usize;
        let bytes = self.window.get(skip..).unwrap_or_default();
        let blank = bytes.iter().take_while(|byte| matches!(byte, b'\n' | b'\r'));
        blank.filter(|byte| **byte == b'\n').count() as u64
    }
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.window.len() > MAX_RECORD_BYTES {
            return Err(io::Error::other(TOO_LONG));
        }
        let count = self.inner.read(buffer)?;
        self.window.extend_from_slice(&buffer[..count]);
        Ok(count)
    }
}

fn is_too_long(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::Other && error.to_string() == TOO_LONG
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &[u8]) -> Result<(Vec<String>, Vec<Record>), CustomersError> {
        let mut reader = CustomerReader::new(text);
        let header = reader.header()?;
        let mut record = StringRecord::new();
        let mut seen = Vec::new();
        loop {
            match reader.read(&mut record)? {
                Record::End => return Ok((header, seen)),
                other => seen.push(other),
            }
        }
    }

    #[test]
    fn records_carry_the_line_they_start_on() {
        let text: &[u8] = b"phone,notes\n+593991234567,Ana\n\n\
            +593991234568,\"Luis\nAlberto\"\n+1,x\n\r\n\n+2,y\n";
        let (header, records) = read_all(text).unwrap();
        assert_eq!(header, ["phone", "notes"]);
        assert_eq!(
            records,
            [
                Record::Read { line: 2 },
                Record::Read { line: 4 },
                Record::Read { line: 6 },
                Record::Read { line: 9 }
            ]
        );
    }

    #[test]
    fn broken_records_are_skipped_with_their_line() {
        let text: &[u8] = b"phone,first_name\n+593991234567\n+593991234568,\xff\xfe\n\n\
            +593991234569,Eva\n\n1,2,3\n";
        let (_, records) = read_all(text).unwrap();
        let lines: Vec<u64> = records
            .iter()
            .map(|record| match record {
                Record::Broken(bad) => bad.line,
                Record::Read { line } => 100 + line,
                Record::End => 0,
            })
            .collect();
        assert_eq!(lines, [2, 3, 105, 7]);
    }

    #[test]
    fn an_open_quote_stops_at_its_line_in_bounded_memory() {
        let mut text = b"phone,first_name\n+593991234567,Ana\n+593991234568,\"Luis\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 3 * MAX_RECORD_BYTES));
        let error = read_all(&text).unwrap_err();
        assert!(matches!(error, CustomersError::RecordTooLong { line: 3, .. }), "{error:?}");
    }

    #[test]
    fn a_broken_row_that_runs_on_says_a_quote_is_open() {
        let text: &[u8] = b"phone,first_name,last_name\n+593991234568,\"Luis,P\n+1,x,y\n+2,y,z\n";
        let (_, records) = read_all(text).unwrap();
        let [Record::Broken(bad)] = records.as_slice() else { panic!("{records:?}") };
        assert_eq!(bad.line, 2);
        assert!(bad.problems[0].to_string().contains("a quote is left open"), "{bad:?}");
    }

    #[test]
    fn an_empty_file_has_no_header() {
        assert!(matches!(read_all(b""), Err(CustomersError::Empty)));
    }
}
