//! `authlab serve`.

use authlab_web::AppState;

use crate::{cli::ServeArgs, private_redis};

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(serve(args))
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut settings = args.settings;
    // Kept alive for as long as the server runs; killed when dropped.
    let _private_redis = if args.no_private_redis {
        None
    } else {
        private_redis::start_if_needed(&mut settings).await
    };
    let state = AppState::new(settings)?;
    if let Err(err) = state.redis.ping().await {
        tracing::warn!(
            "{err}. /session will answer 503 until Redis is reachable; /memory and /jwt work without it."
        );
    }
    let running = authlab_web::start(state, true)?;
    tracing::info!(
        "authlab is serving on http://{}/ (Ctrl-C to stop)",
        running.addr
    );
    running.server.await?;
    tracing::info!("stopped");
    Ok(())
}
