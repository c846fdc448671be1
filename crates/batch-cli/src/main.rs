//! `bedrock-batch`: spreadsheet → Bedrock batch JSONL → joined results, from the command line.

mod answer_text;
mod args;
mod commands;
mod display;
mod fix_words;
mod iam;
mod lifecycle;
mod log_file;
mod progress;

use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};
use display::error_line;

fn main() -> ExitCode {
    // Panics inside guarded third-party parsers become readable import errors; anything else is a bug,
    // reported on one line instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        if !batch_core::sheet::is_guarded() {
            let text = info.to_string().replace(['\n', '\r'], " ");
            eprintln!("error: internal error ({text}); please report it with the command that caused it");
        }
    }));
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let _log = log_file::start();
    let command = matches.subcommand_name().unwrap_or("");
    tracing::info!(command, version = env!("CARGO_PKG_VERSION"), "bedrock-batch started");
    match run(cli) {
        Ok(code) => {
            tracing::info!(command, "finished");
            code
        }
        Err(error) => {
            let line = error_line(&error);
            tracing::error!(command, "{line}");
            eprintln!("error: {line}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the chosen subcommand.
fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Prepare(args) => commands::run_prepare(args),
        Command::Preview(args) => commands::run_preview(args),
        Command::Results(args) => commands::run_results(args),
        Command::Open(args) => lifecycle::open(args),
        Command::SandboxOutputs(args) => commands::run_sandbox_outputs(args),
        Command::Emulator(args) => commands::run_emulator(args),
        Command::Submit(args) => lifecycle::submit(args),
        Command::Status(args) => lifecycle::status(args),
        Command::Stop(args) => lifecycle::stop(args),
        Command::Fetch(args) => lifecycle::fetch(args),
        Command::Retry(args) => lifecycle::retry(args),
        Command::Run(args) => lifecycle::run(args, false),
        Command::Estimate(args) => lifecycle::estimate(args),
        Command::Sandbox(args) => lifecycle::run(args, true),
        Command::Jobs(args) => lifecycle::jobs(args),
        Command::Compare(args) => lifecycle::compare(args),
        Command::Iam(command) => iam::run(command),
    }
}
