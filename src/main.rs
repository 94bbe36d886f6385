use std::process::ExitCode;

fn main() -> ExitCode {
    mercfg::cli::main()
}
