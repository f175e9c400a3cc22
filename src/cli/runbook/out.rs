//! Output of a headless run that never takes the process down: once the terminal (or the SSH link)
//! is gone, writes to it fail, and `println!` would panic mid-run. These drop what cannot be
//! written; the journal and the log go on.

/// `println!` that drops the line when stdout is gone.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `eprintln!` that drops the line when stderr is gone.
macro_rules! say_err {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

pub(super) use {say, say_err};
