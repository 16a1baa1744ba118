use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    frontoffice::cli::run(frontoffice::cli::Cli::parse())
}
