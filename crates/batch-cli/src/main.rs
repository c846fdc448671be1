//! `bedrock-batch`: spreadsheet → Bedrock batch JSONL → joined results, from the command line.

mod args;
mod commands;
mod display;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            // One readable line: the error and its causes, joined.
            let text = format!("{error:#}").replace(['\n', '\r'], " ");
            eprintln!("error: {text}");
            ExitCode::FAILURE
        }
    }
}
