//! `carevault`: the command-line face of carevault-core. Parsing, prompts,
//! progress bars and printing live here; every decision lives in the library.

mod cli;

fn main() {
    let code = cli::run();
    std::process::exit(code);
}
