//! `bedrock-batch`: spreadsheet → Bedrock batch JSONL → joined results, from the command line.

mod args;
mod commands;
mod display;
mod iam;
mod lifecycle;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Panics inside guarded third-party parsers become readable import errors; anything else is a bug,
    // reported on one line instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        if !batch_core::sheet::is_guarded() {
            let text = info.to_string().replace(['\n', '\r'], " ");
            eprintln!("error: internal error ({text}); please report it with the command that caused it");
        }
    }));
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", error_line(&error));
            ExitCode::FAILURE
        }
    }
}

/// One readable line: the error and those of its causes it does not already quote.
pub fn error_line(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text = format!("{text}: {cause}");
        }
    }
    text.replace(['\n', '\r'], " ")
}
