//! Server-wide announcements: what happened to everybody, said on every page for a few minutes,
//! and on the login page to each person it logged out, until they log in again.
//!
//! The product does not know who makes an announcement (the classroom's teacher tools do) or
//! why; it keeps the board and shows it. Two ways of showing it:
//!
//! - **The banner.** A middleware ([`on_every_page`]) puts the announcements of the last
//!   [`BANNER_FOR`] in a task-local for the request, and the base template reads them
//!   ([`on_this_page`]), so every page carries the banner without each page's struct having to
//!   carry a field for it. The task-local is per request and per server, so two apps in one test
//!   process do not see each other's board.
//! - **"Why was I logged out?"** The login form sets a small cookie per mount with the time of
//!   the login ([`crate::login_stamp`]). When the login page later meets a visitor who is not
//!   logged in but carries that stamp, and an announcement since then ended the logins of this
//!   mount, the page says which and when. The stamp goes at a deliberate logout and is renewed at
//!   the next login, so the sentence is shown every time until then, and never to someone who
//!   logged out themselves. A forged stamp can only make the page repeat the server's own words.
//!
//! The board is kept in the data directory, so a restart (itself an announced event) is still
//! on the banner of the process that comes back.

use std::{
    collections::VecDeque,
    fs,
    future::Future,
    path::{Path, PathBuf},
    sync::Mutex,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web, Error,
};
use authlab_core::{private_file, MountSlug};

/// How long an announcement stays on the banner.
pub const BANNER_FOR: Duration = Duration::from_secs(5 * 60);

/// The file in the data directory that keeps the board.
pub const ANNOUNCEMENTS_FILE: &str = "announcements.txt";

/// How many announcements are kept; older ones can no longer explain a logout anyone cares about.
const KEPT: usize = 64;

/// One thing that happened to everybody on this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// Seconds since the Unix epoch.
    pub at: u64,
    /// What happened, as a sentence after the time ("the teacher rotated the JWT key: …").
    pub text: String,
    /// The mounts whose logins it ended.
    pub ended: Vec<String>,
}

impl Announcement {
    /// `10:42 UTC`: the wall-clock time a class can match with the moment on the projector.
    pub fn time(&self) -> String {
        let of_day = self.at % 86_400;
        format!("{:02}:{:02} UTC", of_day / 3600, of_day % 3600 / 60)
    }

    /// What the login page says to a visitor this announcement logged out.
    pub fn logged_out_sentence(&self) -> String {
        format!(
            "{} — {}. That is why you are on this page: it was nothing you did. Log in again.",
            self.time(),
            self.text
        )
    }

    pub fn ended_logins_on(&self, mount: MountSlug) -> bool {
        self.ended.iter().any(|slug| slug == mount.as_str())
    }
}

/// The board, shared by every worker.
pub struct Announcements {
    entries: Mutex<VecDeque<Announcement>>,
    file: Option<PathBuf>,
}

impl Default for Announcements {
    fn default() -> Self {
        Announcements {
            entries: Mutex::new(VecDeque::new()),
            file: None,
        }
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Announcements {
    /// The board kept in `dir` (read now; a missing or unreadable file is an empty board: losing
    /// old announcements is harmless).
    pub fn kept_in(dir: &Path) -> Self {
        let file = dir.join(ANNOUNCEMENTS_FILE);
        let entries = fs::read_to_string(&file)
            .map(|text| text.lines().filter_map(parse_line).collect())
            .unwrap_or_default();
        Announcements {
            entries: Mutex::new(entries),
            file: Some(file),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Announcement>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Tell everybody `text`; `ended` lists the mounts whose logins it ended.
    pub fn announce(&self, text: &str, ended: &[MountSlug]) -> Announcement {
        // One line per announcement in the file: a newline in the text would split it.
        let announcement = Announcement {
            at: unix_now(),
            text: text.replace(['\n', '\r'], " "),
            ended: ended.iter().map(|m| m.as_str().to_owned()).collect(),
        };
        let mut entries = self.lock();
        entries.push_back(announcement.clone());
        while entries.len() > KEPT {
            entries.pop_front();
        }
        if let Some(file) = &self.file {
            if let Err(err) = keep(file, &entries) {
                tracing::warn!(error = %err, "the announcements could not be kept on disk");
            }
        }
        announcement
    }

    /// What the banner shows now, newest first.
    pub fn recent(&self) -> Vec<Announcement> {
        let since = unix_now().saturating_sub(BANNER_FOR.as_secs());
        self.lock()
            .iter()
            .rev()
            .filter(|a| a.at >= since)
            .cloned()
            .collect()
    }

    /// The latest announcement that ended `mount`'s logins at or after `since` (a login time).
    pub fn ended_since(&self, mount: MountSlug, since: u64) -> Option<Announcement> {
        self.lock()
            .iter()
            .rev()
            .find(|a| a.at >= since && a.ended_logins_on(mount))
            .cloned()
    }
}

fn parse_line(line: &str) -> Option<Announcement> {
    let mut parts = line.splitn(3, ' ');
    let at = parts.next()?.parse().ok()?;
    let ended = parts.next()?;
    let text = parts.next()?.to_owned();
    let ended = match ended {
        "-" => Vec::new(),
        list => list.split(',').map(str::to_owned).collect(),
    };
    Some(Announcement { at, text, ended })
}

fn keep(file: &Path, entries: &VecDeque<Announcement>) -> std::io::Result<()> {
    let text: String = entries
        .iter()
        .map(|a| {
            let ended = if a.ended.is_empty() {
                "-".to_owned()
            } else {
                a.ended.join(",")
            };
            format!("{} {ended} {}\n", a.at, a.text)
        })
        .collect();
    let fresh = file.with_extension("txt.new");
    let _ = fs::remove_file(&fresh);
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    private_file::write_new(&fresh, text.as_bytes())?;
    fs::rename(&fresh, file)
}

tokio::task_local! {
    static BOARD: web::Data<Announcements>;
}

/// The announcements the page being rendered shows (none outside a request). Read when the
/// page is rendered, not when the request came in, so the page a tool answers with already
/// carries the tool's own announcement.
pub fn on_this_page() -> Vec<Announcement> {
    BOARD.try_with(|board| board.recent()).unwrap_or_default()
}

/// Run `work` with `board` as the banner's source (the middleware's job; tests call it).
pub async fn with_board<F: Future>(board: web::Data<Announcements>, work: F) -> F::Output {
    BOARD.scope(board, work).await
}

/// Middleware: every page rendered during this request shows the recent announcements.
pub async fn on_every_page(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    match req.app_data::<web::Data<Announcements>>().cloned() {
        Some(board) => with_board(board, next.call(req)).await,
        None => next.call(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: MountSlug = MountSlug::new("jwt");
    const MEMORY: MountSlug = MountSlug::new("memory");

    #[test]
    fn an_announcement_ends_only_the_logins_it_names_and_only_those_before_it() {
        let board = Announcements::default();
        let before = unix_now();

        board.announce("the teacher rotated the JWT key", &[JWT]);

        assert!(board.ended_since(JWT, before).is_some());
        assert!(board.ended_since(MEMORY, before).is_none());
        assert!(board.ended_since(JWT, unix_now() + 1).is_none());
        assert_eq!(board.recent().len(), 1);
    }

    #[test]
    fn the_board_is_read_back_from_the_data_directory() {
        let dir = std::env::temp_dir().join(format!("authlab-board-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let board = Announcements::kept_in(&dir);

        let said = board.announce("the teacher restarted the server", &[MEMORY, JWT]);
        board.announce("the teacher changed a role", &[]);
        let again = Announcements::kept_in(&dir);

        assert_eq!(again.ended_since(MEMORY, said.at), Some(said));
        assert_eq!(again.recent().len(), 2);
        let _ = fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn the_page_sees_its_own_servers_board_as_of_rendering() {
        let board = web::Data::new(Announcements::default());

        let inside = with_board(board.clone(), async {
            let before = on_this_page();
            board.announce("the teacher flushed Redis", &[MountSlug::new("session")]);
            (before, on_this_page())
        })
        .await;

        assert!(inside.0.is_empty());
        assert_eq!(
            inside.1.len(),
            1,
            "the answer to the tool shows the tool's announcement"
        );
        assert!(on_this_page().is_empty(), "outside a request: nothing");
    }

    #[test]
    fn the_time_is_the_wall_clock_in_utc() {
        let said = Announcement {
            at: 38_520,
            text: "the teacher flushed Redis".to_owned(),
            ended: vec!["session".to_owned()],
        };
        assert_eq!(said.time(), "10:42 UTC");
    }
}
