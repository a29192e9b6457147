//! Building the service from its settings and running it.

use std::{net::SocketAddr, sync::Arc};

use actix_web::{
    dev::Server,
    middleware::{self, DefaultHeaders},
    App, HttpServer,
};

use crate::{
    checker::Checker,
    issuer_http,
    local_verify::Rules,
    routes::{self, Service},
    ResourceSettings,
};

/// Only this service's own styles; forms post only to itself; never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// A bound server: await `server` to serve; `addr` is where it listens.
pub struct RunningResource {
    pub addr: SocketAddr,
    pub server: Server,
}

/// Bind and build the server (inside an actix runtime). Refuses an unreadable secret file.
pub fn start(settings: &ResourceSettings) -> anyhow::Result<RunningResource> {
    jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
        .install_default()
        .ok();
    anyhow::ensure!(
        settings.issuer.starts_with("http://") || settings.issuer.starts_with("https://"),
        "--issuer must be an http:// URL (this build has no TLS): got {:?}",
        settings.issuer
    );
    let secret = settings.load_introspection_secret()?;
    let http = issuer_http::client(settings.issuer_timeout());
    let service = Arc::new(Service {
        checker: Checker::new(
            http,
            settings.jwks_url(),
            settings.introspection_url(),
            secret,
            Rules::new(&settings.expected_iss, &settings.audience),
        ),
        issuer: settings.issuer_base().to_owned(),
    });
    let mut server = HttpServer::new(move || {
        App::new()
            .configure(routes::configure(service.clone()))
            .wrap(
                DefaultHeaders::new()
                    .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "no-referrer")),
            )
            .wrap(middleware::Logger::new("%r %s %Dms").log_target("authlab::resource::http"))
    })
    .bind((settings.bind, settings.port))?;
    if let Some(workers) = settings.workers {
        server = server.workers(workers.max(1));
    }
    let addr = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| anyhow::anyhow!("the server bound no address"))?;
    Ok(RunningResource {
        addr,
        server: server.run(),
    })
}

/// `authlab resource`: serve until Ctrl-C or SIGTERM.
pub fn run(settings: ResourceSettings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let running = start(&settings)?;
        tracing::info!(
            pid = std::process::id(),
            issuer = %settings.issuer_base(),
            introspection = settings.introspection_secret.is_some()
                || settings.introspection_secret_file.is_some(),
            "authlab resource is serving on http://{}/ (Ctrl-C to stop)",
            running.addr
        );
        running.server.await?;
        tracing::info!("stopped");
        Ok(())
    })
}
