use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = careerlog::cli::Cli::parse();
    match careerlog::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("careerlog: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
