use clap::Parser;

fn main() -> std::process::ExitCode {
    broadside::malloc::tune();
    broadside::cli::run(broadside::cli::Cli::parse())
}
