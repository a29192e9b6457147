//! Reading Redis's own accounting: `INFO memory`, `INFO stats`, `INFO commandstats`,
//! `MEMORY USAGE`. A plain synchronous connection, separate from the app's.

use std::collections::{BTreeMap, HashMap};

use redis::Commands;

pub struct RedisProbe {
    conn: redis::Connection,
}

impl RedisProbe {
    pub fn connect(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let conn = client.get_connection_with_timeout(std::time::Duration::from_secs(5))?;
        Ok(RedisProbe { conn })
    }

    pub fn info(&mut self, section: &str) -> anyhow::Result<HashMap<String, String>> {
        let text: String = redis::cmd("INFO").arg(section).query(&mut self.conn)?;
        Ok(text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
            .collect())
    }

    fn info_number(&mut self, section: &str, field: &str) -> anyhow::Result<u64> {
        self.info(section)?
            .get(field)
            .ok_or_else(|| anyhow::anyhow!("INFO {section} has no {field}"))?
            .parse()
            .map_err(Into::into)
    }

    pub fn used_memory(&mut self) -> anyhow::Result<u64> {
        self.info_number("memory", "used_memory")
    }

    pub fn pid(&mut self) -> anyhow::Result<u32> {
        Ok(u32::try_from(self.info_number("server", "process_id")?)?)
    }

    pub fn version(&mut self) -> anyhow::Result<String> {
        self.info("server")?
            .remove("redis_version")
            .ok_or_else(|| anyhow::anyhow!("INFO server has no redis_version"))
    }

    /// Calls per command since the last `CONFIG RESETSTAT` (`cmdstat_get:calls=3,...`).
    pub fn command_calls(&mut self) -> anyhow::Result<BTreeMap<String, u64>> {
        let stats = self.info("commandstats")?;
        Ok(stats
            .into_iter()
            .filter_map(|(key, value)| {
                let name = key.strip_prefix("cmdstat_")?.to_owned();
                let calls = value
                    .split(',')
                    .find_map(|kv| kv.strip_prefix("calls="))?
                    .parse()
                    .ok()?;
                Some((name, calls))
            })
            .collect())
    }

    pub fn flushall(&mut self) -> anyhow::Result<()> {
        redis::cmd("FLUSHALL")
            .arg("SYNC")
            .query::<()>(&mut self.conn)?;
        Ok(())
    }

    pub fn dbsize(&mut self) -> anyhow::Result<u64> {
        Ok(redis::cmd("DBSIZE").query(&mut self.conn)?)
    }

    pub fn keys(&mut self, pattern: &str) -> anyhow::Result<Vec<String>> {
        Ok(self.conn.keys(pattern)?)
    }

    pub fn get(&mut self, key: &str) -> anyhow::Result<Option<String>> {
        Ok(self.conn.get(key)?)
    }

    /// `MEMORY USAGE key SAMPLES 0`: Redis's own estimate of one key's footprint.
    pub fn memory_usage(&mut self, key: &str) -> anyhow::Result<Option<u64>> {
        Ok(redis::cmd("MEMORY")
            .arg("USAGE")
            .arg(key)
            .arg("SAMPLES")
            .arg(0)
            .query(&mut self.conn)?)
    }
}

/// The difference of two command-call snapshots, leaving out the probe's own `INFO` calls.
pub fn calls_between(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .filter(|(name, _)| name.as_str() != "info")
        .filter_map(|(name, calls)| {
            let delta = calls.saturating_sub(before.get(name).copied().unwrap_or(0));
            (delta > 0).then(|| (name.clone(), delta))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probes_own_info_calls_are_not_counted() {
        let before = BTreeMap::from([("get".to_owned(), 10), ("info".to_owned(), 3)]);
        let after = BTreeMap::from([
            ("get".to_owned(), 110),
            ("info".to_owned(), 4),
            ("expire".to_owned(), 2),
        ]);

        let calls = calls_between(&before, &after);

        assert_eq!(
            calls,
            BTreeMap::from([("expire".to_owned(), 2), ("get".to_owned(), 100)])
        );
    }
}
