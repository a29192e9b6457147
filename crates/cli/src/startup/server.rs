//! Binding and running the HTTP server.

use std::{net::SocketAddr, time::Duration};

use actix_web::{
    dev::Server,
    middleware::{self, from_fn},
    App, HttpServer,
};

use authlab_classroom::record_exchanges;
use authlab_web::{
    announcements, csrf, front_door, security_headers::security_headers, server_timing,
};

use super::{app, AppState};

/// How long in-flight requests get to finish after SIGTERM or a stop.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A bound server. Await (or spawn) `server` to serve; `addr` is where it listens.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub server: Server,
}

/// Bind the configured address and build the server. Must be called inside an actix runtime.
/// `handle_signals`: stop gracefully on SIGINT/SIGTERM (the real binary); off when several servers
/// share one test process.
pub fn start(state: AppState, handle_signals: bool) -> std::io::Result<RunningServer> {
    let bind = (state.settings().bind, state.settings().port);
    let workers = state.settings().workers;
    let factory_state = state.clone();
    let mut server = HttpServer::new(move || {
        App::new()
            .configure(app::configure(factory_state.clone()))
            // Every page rendered inside shows the banner.
            .wrap(from_fn(announcements::on_every_page))
            // Inside the CSRF layers, so it records what the mounts answered.
            .wrap(from_fn(record_exchanges))
            // Outside the session middleware, so it sees the store read that authenticates.
            .wrap(from_fn(server_timing::add_server_timing))
            .wrap(from_fn(csrf::ensure_seed_cookie))
            .wrap(from_fn(csrf::refuse_cross_site))
            .wrap(security_headers())
            .wrap(from_fn(front_door::front_door))
            .wrap(middleware::Logger::new("%r %s %Dms").log_target("authlab::http"))
    })
    .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
    .bind(bind)?;
    if let Some(workers) = workers {
        server = server.workers(workers.max(1));
    }
    if !handle_signals {
        server = server.disable_signals();
    }
    let addr = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| std::io::Error::other("the server bound no address"))?;
    Ok(RunningServer {
        addr,
        server: server.run(),
    })
}
