//! A listing's stdout (`inventory`, `report`, `runs`). A reader that has gone away — a closed
//! pipe, as in `opsdeck runs | head -1` — ends the listing quietly: no message, no panic, exit 0,
//! as `ls | head` ends. (Rust ignores SIGPIPE, so the closed pipe comes back as a write error.) Any
//! other write error, a full disk under `> file`, is still an error.

use std::io::{self, Write};

/// How much of a listing reached stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Written {
    All,
    /// The reader closed the pipe: the command stops here, quietly.
    ReaderGone,
}

/// Bytes gathered before a write reaches the terminal or the pipe: a listing of 100,000 lines is
/// a few hundred write calls, not one per line (stdout alone is line-buffered).
const BUFFER: usize = 64 * 1024;

/// Writes a listing to stdout, locked and buffered, through `write`, and flushes it.
pub fn write(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<Written> {
    write_to(io::stdout().lock(), write)
}

fn write_to(
    inner: impl Write,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<Written> {
    let mut out = io::BufWriter::with_capacity(BUFFER, inner);
    reader_gone_is_quiet(write(&mut out).and_then(|()| out.flush()))
}

/// `value` as pretty-printed JSON and a newline. A write error keeps its kind (a closed pipe is
/// still `BrokenPipe`).
pub fn json(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

fn reader_gone_is_quiet(r: io::Result<()>) -> io::Result<Written> {
    match r {
        Ok(()) => Ok(Written::All),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Written::ReaderGone),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_the_reader_gone_and_any_other_error_stays_an_error() {
        let gone = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(
            reader_gone_is_quiet(Err(gone)).ok(),
            Some(Written::ReaderGone)
        );
        assert_eq!(reader_gone_is_quiet(Ok(())).ok(), Some(Written::All));
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert!(reader_gone_is_quiet(Err(full)).is_err());
    }

    /// Write calls are per buffer, not per line: 10,000 lines of a listing in at most 100.
    #[test]
    fn a_listing_is_written_in_buffers() {
        #[derive(Default)]
        struct Counting {
            calls: usize,
            bytes: usize,
        }
        impl Write for &mut Counting {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.calls += 1;
                self.bytes += b.len();
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut c = Counting::default();
        let lines = 10_000;
        let w = write_to(&mut c, |out| {
            for n in 0..lines {
                writeln!(out, "i-{n:017x}  web-{n}  running  t3.micro  us-east-1a")?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(w, Written::All);
        assert!(c.bytes > 400_000, "everything arrived: {}", c.bytes);
        assert!(
            c.calls <= lines / 100,
            "{} write calls for {lines} lines",
            c.calls
        );
    }

    #[test]
    fn a_closed_pipe_under_json_keeps_its_kind() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let e = json(&mut Closed, &serde_json::json!({"a": [1, 2]})).expect_err("closed");
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
    }
}
