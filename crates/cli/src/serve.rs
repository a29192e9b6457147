//! `authlab serve`.

use authlab::AppState;

use crate::{cli::ServeArgs, private_redis};

/// Why the server stopped.
pub enum Ended {
    /// Ctrl-C, SIGTERM: stop for good.
    Stopped,
    /// The restart lab asked for a new process (only under `authlab demo`).
    RestartRequested,
}

pub fn run(args: ServeArgs) -> anyhow::Result<Ended> {
    actix_web::rt::System::new().block_on(serve(args))
}

async fn serve(args: ServeArgs) -> anyhow::Result<Ended> {
    let mut settings = args.settings;
    // Kept alive for as long as the server runs; killed when dropped.
    let _private_redis = if args.no_private_redis {
        None
    } else {
        private_redis::start_if_needed(&mut settings).await
    };
    let state = AppState::new(settings)?;
    if let Err(err) = state.redis().ping().await {
        tracing::warn!(
            "{err}. /session will answer 503 until Redis is reachable; /memory and /jwt work without it."
        );
    }
    let restart = state.classroom.restart.clone();
    let supervised = state.settings().supervised;
    let greeting = state.teacher_greeting.clone();
    let running = authlab::start(state, true)?;
    tracing::info!(
        pid = std::process::id(),
        "authlab is serving on http://{}/ (Ctrl-C to stop)",
        running.addr
    );
    // Straight to the terminal, not through the log: the password must reach the teacher's eyes
    // and no log file.
    eprintln!("{}", greeting.lines(&format!("http://{}/", running.addr)));
    let handle = running.server.handle();
    let mut server = actix_web::rt::spawn(running.server);
    let restart_requested = async {
        if supervised {
            restart.requested().await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = &mut server => {
            result??;
            tracing::info!("stopped");
            Ok(Ended::Stopped)
        }
        () = restart_requested => {
            // Graceful: the restart lab's answer is still on its way to the browser.
            handle.stop(true).await;
            let _ = server.await;
            tracing::info!("stopped for a restart");
            Ok(Ended::RestartRequested)
        }
    }
}
