//! Changing a role: the roles lab's buttons and the teacher's page do it the same way, with the
//! same rules (the teacher only, a cooldown per account and role, announced).

use authlab_core::{Role, UserDirectory};

use super::tools::{announce, Cooldowns, Tool, ToolError};
use crate::announcements::Announcements;

/// What came of a role change.
pub enum RoleChange {
    Done(String),
    /// No such account or role: nothing changed.
    Unknown,
}

pub fn change(
    users: &UserDirectory,
    board: &Announcements,
    cooldowns: &Cooldowns,
    username: &str,
    role: &str,
) -> Result<Result<RoleChange, anyhow::Error>, ToolError> {
    let (Some(before), Some(role)) = (users.lookup(username), Role::parse(role)) else {
        return Ok(Ok(RoleChange::Unknown));
    };
    cooldowns.begin(Tool::Role, &format!("{username} {role}"))?;
    Ok(match users.set_role(username, role) {
        Ok(_) => {
            announce(
                board,
                &format!(
                    "made {username} {} {role} (was {})",
                    article(role),
                    before.role
                ),
                &[],
            );
            Ok(RoleChange::Done(format!(
                "{username}: {} → {role}, on the server, now.",
                before.role
            )))
        }
        Err(err) => Err(err.into()),
    })
}

fn article(role: Role) -> &'static str {
    match role {
        Role::Admin => "an",
        Role::User => "a",
    }
}
