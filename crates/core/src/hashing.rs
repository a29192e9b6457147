//! Password hashing with a budget: a fixed number of hashing threads, a bounded queue in front of
//! them, and memory that is allocated once and reused.
//!
//! argon2id is memory-hard on purpose: every verification fills 19 MiB. Run on an unbounded
//! blocking pool, 32 concurrent logins meant 32 × 19 MiB allocated at once, and glibc's per-thread
//! arenas kept it after the flood (10 GB measured). So hashing has its own small crew instead:
//!
//! - **One thread per core.** More threads than cores would only share the same CPUs while
//!   holding more memory; fewer would leave a core idle during a class's login rush.
//! - **Each thread owns its memory.** A thread allocates its argon2 blocks once and hands them to
//!   [`Argon2::hash_password_into_with_memory`] for every hash, so resident memory is
//!   `threads × 19 MiB` whatever the login rate, and nothing is returned to (or kept by) the
//!   allocator between hashes.
//! - **A bounded queue.** Jobs wait in a `sync_channel` of fixed capacity; when it is full,
//!   [`HashBudget::run`] answers [`Busy`] at once and the caller says 503 with `Retry-After`
//!   (CWE-770: allocation of resources without limits). The capacity is chosen so that a class of
//!   thirty logging in at the same moment waits in the queue rather than being refused.
//!
//! A job is any closure over the thread's [`HashMemory`]; [`verify_phc`] is the one the user
//! directory needs. Dropping the last [`HashBudget`] closes the queue and the threads end.

use std::{
    sync::{
        mpsc::{self, Receiver, SyncSender, TrySendError},
        Arc, Mutex,
    },
    time::Duration,
};

use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};

/// Queue places per hashing thread. At roughly 50 ms per hash this is about 1.6 s of waiting at
/// the back of a full queue: a classroom's rush is served, a flood gets 503s.
pub const QUEUE_PER_THREAD: usize = 32;

/// What a caller tells a client refused with [`Busy`] to wait before trying again.
pub const BUSY_RETRY_AFTER: Duration = Duration::from_secs(2);

/// Every hashing thread is busy and the queue is full: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the password hashing queue is full")]
pub struct Busy;

/// The argon2 blocks one hashing thread owns and reuses.
pub struct HashMemory {
    blocks: Vec<Block>,
}

impl HashMemory {
    /// Memory for hashes with parameters up to `params`.
    pub fn for_params(params: &Params) -> Self {
        HashMemory {
            blocks: vec![Block::default(); params.block_count()],
        }
    }

    /// At least `count` blocks; grows (once) if a hash needs more than the thread started with.
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() < count {
            self.blocks.resize(count, Block::default());
        }
        &mut self.blocks[..count]
    }

    /// Bytes held, for tests and the docs' memory bound.
    pub fn bytes(&self) -> usize {
        self.blocks.len() * Block::SIZE
    }
}

impl Default for HashMemory {
    /// Sized for argon2's default parameters (m = 19 MiB), which the demo hashes use.
    fn default() -> Self {
        Self::for_params(&Params::default())
    }
}

/// Check `password` against an argon2id PHC string, in `memory`. False for any malformed hash.
pub fn verify_phc(phc: &str, password: &str, memory: &mut HashMemory) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let blocks = memory.blocks(params.block_count());
    let computed = argon2::password_hash::Output::init_with(expected.len(), |out| {
        argon2
            .hash_password_into_with_memory(password.as_bytes(), salt, out, &mut *blocks)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    });
    // `Output`'s equality is constant-time.
    computed.is_ok_and(|computed| computed == expected)
}

/// Hash `password` as an argon2id PHC string with argon2's default parameters (those of the demo
/// hashes) and a fresh random salt, in `memory`.
pub fn hash_phc(password: &str, memory: &mut HashMemory) -> Result<String, argon2::Error> {
    use argon2::password_hash::{Output, ParamsString, SaltString};
    use rand::RngCore;
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2.hash_password_into_with_memory(
        password.as_bytes(),
        &salt,
        &mut out,
        memory.blocks(params.block_count()),
    )?;
    let encoded_salt = SaltString::encode_b64(&salt).map_err(|_| argon2::Error::SaltTooShort)?;
    let hash = Output::new(&out).map_err(|_| argon2::Error::OutputTooShort)?;
    let params = ParamsString::try_from(&params).map_err(|_| argon2::Error::OutputTooShort)?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params,
        salt: Some(encoded_salt.as_salt()),
        hash: Some(hash),
    }
    .to_string())
}

type Job = Box<dyn FnOnce(&mut HashMemory) + Send>;

/// A fixed crew of hashing threads with a bounded queue. Cheap to clone; clones share the crew.
#[derive(Clone)]
pub struct HashBudget {
    queue: SyncSender<Job>,
    threads: usize,
    capacity: usize,
}

impl HashBudget {
    /// One thread per core, [`QUEUE_PER_THREAD`] queue places per thread.
    pub fn per_core() -> std::io::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores, cores * QUEUE_PER_THREAD)
    }

    /// `threads` hashing threads (at least one) and room for `capacity` waiting jobs.
    pub fn new(threads: usize, capacity: usize) -> std::io::Result<Self> {
        let threads = threads.max(1);
        let (queue, jobs) = mpsc::sync_channel::<Job>(capacity);
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || serve(&jobs))?;
        }
        Ok(HashBudget {
            queue,
            threads,
            capacity,
        })
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Run `job` on a hashing thread with that thread's memory; [`Busy`] at once when the queue
    /// is full (or the crew is gone).
    pub async fn run<T, F>(&self, job: F) -> Result<T, Busy>
    where
        T: Send + 'static,
        F: FnOnce(&mut HashMemory) -> T + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // A caller that gave up (its client went away) costs no hash.
            if !reply.is_closed() {
                let _ = reply.send(job(memory));
            }
        });
        match self.queue.try_send(job) {
            Ok(()) => answer.await.map_err(|_| Busy),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }
}

/// A hashing thread: take the next job, run it in this thread's memory, until the queue closes.
/// The memory is allocated at the first job, so a server nobody logs in to does not hold it.
fn serve(jobs: &Mutex<Receiver<Job>>) {
    let mut memory: Option<HashMemory> = None;
    loop {
        // Hold the lock only to take a job, not while hashing.
        let next = jobs.lock().unwrap_or_else(|p| p.into_inner()).recv();
        match next {
            Ok(job) => job(memory.get_or_insert_with(HashMemory::default)),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{password_hash::SaltString, PasswordHasher};

    fn phc(password: &str) -> String {
        let salt = SaltString::encode_b64(b"sixteen byte salt").expect("salt");
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("hash")
            .to_string()
    }

    #[test]
    fn reused_memory_verifies_like_the_crate_does() {
        let hash = phc("wonderland");
        let mut memory = HashMemory::default();

        assert!(verify_phc(&hash, "wonderland", &mut memory));
        assert!(!verify_phc(&hash, "builder", &mut memory));
        assert!(
            verify_phc(&hash, "wonderland", &mut memory),
            "same memory, again"
        );
        assert!(!verify_phc("not a phc string", "wonderland", &mut memory));
        assert_eq!(
            memory.bytes(),
            Params::default().block_count() * Block::SIZE
        );
    }

    #[test]
    fn a_made_hash_verifies_and_each_has_its_own_salt() {
        let mut memory = HashMemory::default();

        let first = hash_phc("correct horse", &mut memory).expect("hashed");
        let second = hash_phc("correct horse", &mut memory).expect("hashed");

        assert!(first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(first, second);
        assert!(verify_phc(&first, "correct horse", &mut memory));
        assert!(!verify_phc(&first, "correct horsf", &mut memory));
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once_and_the_queued_jobs_still_run() {
        let budget = HashBudget::new(1, 2).expect("threads start");
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(Mutex::new(hold));
        // One job occupies the only thread until released; two more fill the queue.
        let mut running = Vec::new();
        for _ in 0..3 {
            let budget = budget.clone();
            let hold = hold.clone();
            running.push(tokio::spawn(async move {
                budget
                    .run(move |_| {
                        let _ = hold.lock().map(|h| h.recv());
                    })
                    .await
            }));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let refused = budget.run(|_| ()).await;

        assert_eq!(refused, Err(Busy));
        for _ in 0..3 {
            release.send(()).expect("the job waits");
        }
        for job in running {
            assert_eq!(job.await.expect("joined"), Ok(()));
        }
    }
}
