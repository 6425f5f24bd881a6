use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // One TLS crypto provider for the whole process, ring (what sqlx, lettre and our reqwest are
    // built with): the Sentry client's reqwest takes the process default and panics without one.
    let _ = rustls::crypto::ring::default_provider().install_default();
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
