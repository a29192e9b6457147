//! "Reset the room": every role back to its default, the throttle's counts cleared, every login
//! of every mount ended (each backend its own way: the session records deleted, the JWT keys
//! replaced with no overlap), announced to everybody.
//!
//! The teacher's own pass is not a login of the mounts and stays: the teacher who pressed the
//! button is still the teacher.

use authlab_core::{BackendError, MountSlug, Mounts, UserDirectory};
use authlab_web::throttle::LoginThrottle;

use super::tools::{announce, mount_list};
use crate::announcements::Announcements;

/// What the reset did, for the page.
pub struct ResetOutcome {
    pub ended: Vec<MountSlug>,
    /// Mounts whose logins could not be ended, and why.
    pub not_ended: Vec<(MountSlug, &'static str)>,
}

impl ResetOutcome {
    pub fn sentence(&self) -> String {
        let mut text = format!(
            "The room is reset: every role is back to its default, the login throttle is cleared, \
             and every login on {} was ended.",
            mount_list(&self.ended)
        );
        for (mount, why) in &self.not_ended {
            text.push_str(&format!(" /{mount}: {why}."));
        }
        text
    }
}

pub async fn reset(
    users: &UserDirectory,
    throttle: &LoginThrottle,
    mounts: &Mounts,
    board: &Announcements,
) -> Result<ResetOutcome, anyhow::Error> {
    users.reset_roles()?;
    throttle.clear();
    let mut outcome = ResetOutcome {
        ended: Vec::new(),
        not_ended: Vec::new(),
    };
    for mount in mounts.login() {
        match mount.backend.end_every_login().await {
            Ok(true) => outcome.ended.push(mount.slug),
            Ok(false) => outcome
                .not_ended
                .push((mount.slug, "its logins cannot be ended from the server")),
            Err(BackendError::Unavailable { .. }) => outcome.not_ended.push((
                mount.slug,
                "its store did not answer, so its logins were not ended",
            )),
            Err(err) => return Err(err.into()),
        }
    }
    announce(
        board,
        "reset the room (every role is back to its default)",
        &outcome.ended,
    );
    Ok(outcome)
}
