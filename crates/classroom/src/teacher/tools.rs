//! The classroom tools' common rules: only the teacher may use them ([`super::pass::Teacher`]),
//! a second press inside the cooldown is refused at once ([`Cooldowns`]), and each use is
//! announced to everybody ([`announce`]).
//!
//! Pressing restart in a loop kept a supervised server answering 11–83 % of health probes; the
//! cooldown is what stops that, and for restart it is counted from the process's start (the
//! process that would remember the last press is the one that ended).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use actix_web::{
    http::{header, StatusCode},
    HttpResponse, ResponseError,
};
use authlab_core::{Mount, MountSlug};

use crate::{announcements::Announcements, render, restart::uptime};

/// A tool that changes things for everybody on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    Restart,
    Flush,
    Rotate,
    Role,
    Reset,
}

impl Tool {
    /// "The teacher {did} 5 s ago."
    fn did(self) -> &'static str {
        match self {
            Tool::Restart => "restarted the server",
            Tool::Flush => "flushed Redis",
            Tool::Rotate => "rotated the JWT key",
            Tool::Role => "changed this role",
            Tool::Reset => "reset the room",
        }
    }
}

/// Why a tool was not used.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("only the teacher can do this")]
    NotTeacher,
    #[error("the tool was used {ago:?} ago; wait {wait:?}")]
    CoolingDown {
        tool: Tool,
        ago: Duration,
        wait: Duration,
    },
}

impl ResponseError for ToolError {
    fn status_code(&self) -> StatusCode {
        match self {
            ToolError::NotTeacher => StatusCode::FORBIDDEN,
            ToolError::CoolingDown { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ToolError::NotTeacher => render::error_page(
                StatusCode::FORBIDDEN,
                "Only the teacher can do this",
                "Restarting the server, flushing Redis, rotating the JWT key, changing roles and \
                 resetting the room change things for everybody on this server, so only the \
                 teacher can use them. Nothing was changed. If you are the teacher, log in at \
                 /teacher first.",
                Some(("/teacher".to_owned(), "The teacher's page")),
            ),
            ToolError::CoolingDown { tool, ago, wait } => {
                let seconds = wait.as_secs().max(1);
                // Restart's cooldown counts from this process's start, which may not have been a
                // restart at all.
                let when = match tool {
                    Tool::Restart => {
                        format!("This server process started {} s ago.", ago.as_secs())
                    }
                    _ => format!("The teacher {} {} s ago.", tool.did(), ago.as_secs()),
                };
                let mut response = render::error_page(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Just done",
                    &format!(
                        "{when} Nothing was done this time: wait {seconds} s before doing it \
                         again (one press is enough, and every press affects everybody on this \
                         server)."
                    ),
                    Some(("/teacher".to_owned(), "The teacher's page")),
                );
                if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
            }
        }
    }
}

/// The last use of each tool (and target: promoting carol does not wait for promoting dan).
pub struct Cooldowns {
    length: Duration,
    last: Mutex<HashMap<(Tool, String), Instant>>,
}

impl Cooldowns {
    pub fn new(length: Duration) -> Self {
        Cooldowns {
            length,
            last: Mutex::new(HashMap::new()),
        }
    }

    pub fn length(&self) -> Duration {
        self.length
    }

    /// Record a use of `tool` on `target` now, or refuse it when the last one is too recent.
    pub fn begin(&self, tool: Tool, target: &str) -> Result<(), ToolError> {
        if tool == Tool::Restart {
            let up = uptime();
            if up < self.length {
                return Err(ToolError::CoolingDown {
                    tool,
                    ago: up,
                    wait: self.length - up,
                });
            }
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let key = (tool, target.to_owned());
        if let Some(at) = last.get(&key) {
            let ago = now.duration_since(*at);
            if ago < self.length {
                return Err(ToolError::CoolingDown {
                    tool,
                    ago,
                    wait: self.length - ago,
                });
            }
        }
        last.insert(key, now);
        Ok(())
    }
}

/// "/session and /memory", for the banner.
pub fn mount_list(mounts: &[MountSlug]) -> String {
    let names: Vec<String> = mounts.iter().map(|m| format!("/{m}")).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Announce a use: "the teacher {what}: everyone on {mounts} was logged out" (or nobody).
pub fn announce(board: &Announcements, what: &str, ended: &[MountSlug]) {
    let text = if ended.is_empty() {
        format!("the teacher {what}: nobody was logged out")
    } else {
        format!(
            "the teacher {what}: everyone on {} was logged out",
            mount_list(ended)
        )
    };
    tracing::warn!(%text, "classroom tool used");
    board.announce(&text, ended);
}

/// The login mounts among `mounts` for which `ends` holds.
pub fn login_mounts_where<'a>(
    mounts: impl Iterator<Item = &'a std::sync::Arc<Mount>>,
    ends: impl Fn(&Mount) -> bool,
) -> Vec<MountSlug> {
    mounts
        .filter(|m| m.login && ends(m))
        .map(|m| m.slug)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_press_inside_the_cooldown_is_refused_and_another_target_is_not() {
        let cooldowns = Cooldowns::new(Duration::from_secs(30));

        cooldowns.begin(Tool::Role, "carol").expect("first press");

        assert!(matches!(
            cooldowns.begin(Tool::Role, "carol"),
            Err(ToolError::CoolingDown { .. })
        ));
        assert!(cooldowns.begin(Tool::Role, "dan").is_ok());
        assert!(cooldowns.begin(Tool::Flush, "").is_ok());
    }

    #[test]
    fn mounts_are_listed_in_words() {
        const A: MountSlug = MountSlug::new("session");
        const B: MountSlug = MountSlug::new("memory");
        const C: MountSlug = MountSlug::new("jwt");
        assert_eq!(mount_list(&[A]), "/session");
        assert_eq!(mount_list(&[A, B, C]), "/session, /memory and /jwt");
    }
}
