use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = careerlog::cli::Cli::parse();
    match careerlog::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) if err.is::<careerlog::cli::FileRefused>() => {
            eprintln!("careerlog: {err}");
            std::process::ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("careerlog: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
