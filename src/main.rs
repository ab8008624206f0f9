//! The `leadline` binary: parse arguments and hand over to the CLI or, without a subcommand, the TUI.

use std::process::ExitCode;

use clap::Parser;
use leadline::cli::{self, Cli};

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    match cli.command.take() {
        Some(command) => cli::run(cli, command),
        None => leadline::tui::start::main(&cli),
    }
}
