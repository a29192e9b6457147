//! The classroom around the product: the labs, the walkthrough, the restart switch and the
//! benchmark report page.
//!
//! It is built on the product (`authlab-web`: its forms, CSRF, errors and rendering) and the
//! product knows nothing of it. The labs do not receive the application's state: each asks, as
//! request data, for the one narrow handle it works through ([`TokenKit`] for the token labs,
//! the Redis link for the flush lab, the [`RestartSwitch`], the list of mounts). A new lab is one
//! file in `labs/`, one template and one line in [`labs::LABS`] and [`labs::routes`].

pub mod labs;
pub mod lesson;
pub mod report;
pub mod restart;
pub mod walkthrough;

use std::sync::Arc;

use actix_web::web;
use authlab_jwt::{JwtSettings, KeyRing};
use authlab_session::store::RedisLink;

pub(crate) use authlab_web::{csrf, errors, forms, inspector, render, Mount, Mounts, Settings};

pub use restart::{RestartSwitch, RESTART_EXIT_CODE};
pub use walkthrough::{record_exchanges, Recorder};

/// What the token labs need of the JWT mount: its key ring (the rotate lab swaps the key in it)
/// and the settings a codec is built from.
#[derive(Clone)]
pub struct TokenKit {
    /// The mount whose tokens these are: the token labs post there, so the browser sends its
    /// token with the form.
    pub mount: authlab_core::MountSlug,
    pub keys: Arc<KeyRing>,
    pub settings: JwtSettings,
}

/// The classroom's long-lived parts, shared by every worker.
#[derive(Clone)]
pub struct Classroom {
    pub tokens: TokenKit,
    /// The Redis database the flush lab empties of this app's keys.
    pub redis: RedisLink,
    pub restart: RestartSwitch,
    pub recorder: Arc<Recorder>,
}

impl Classroom {
    /// The classroom's request data and its pages outside any mount.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::Data::new(self.tokens.clone()))
            .app_data(web::Data::new(self.redis.clone()))
            .app_data(web::Data::new(self.restart.clone()))
            .app_data(web::Data::from(self.recorder.clone()))
            .configure(labs::routes)
            .configure(walkthrough::routes)
            .configure(report::routes)
            .configure(lesson::routes);
    }

    /// The classroom's routes under one mount: every login mount has the status probe and the
    /// revocation lab; the token labs' mount has them too.
    pub fn mount_routes(&self, mount: &Mount, cfg: &mut web::ServiceConfig) {
        if mount.login {
            labs::mount_routes(cfg);
        }
        if mount.slug == self.tokens.mount {
            labs::token_routes(cfg);
        }
    }
}
