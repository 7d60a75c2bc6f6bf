use clap::Parser;

fn main() -> std::process::ExitCode {
    broadside::cli::run(broadside::cli::Cli::parse())
}
