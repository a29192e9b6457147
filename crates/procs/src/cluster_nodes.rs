//! Reading `CLUSTER NODES`: who is master of which slots, who has failed.
//!
//! One line per node: `<id> <ip:port@bus[,hostname]> <flags> <master-id> <ping> <pong> <epoch>
//! <link> <slot ranges…>`. Only what the cluster helper needs is kept.

/// One node as another node sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeView {
    pub port: u16,
    pub master: bool,
    /// Flagged `fail` (agreed by a majority) or `fail?` (suspected by this node).
    pub failing: bool,
    pub slots: Vec<(u16, u16)>,
}

impl NodeView {
    pub fn serves(&self, slot: u16) -> bool {
        self.slots
            .iter()
            .any(|&(first, last)| first <= slot && slot <= last)
    }
}

pub(crate) fn parse(text: &str) -> Vec<NodeView> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<NodeView> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let address = fields.get(1)?;
    let port = address
        .split('@')
        .next()?
        .rsplit_once(':')?
        .1
        .parse()
        .ok()?;
    let flags: Vec<&str> = fields.get(2)?.split(',').collect();
    let slots = fields
        .iter()
        .skip(8)
        // `[slot->-node]` / `[slot-<-node]`: a slot being migrated, not served here yet.
        .filter(|range| !range.starts_with('['))
        .filter_map(|range| match range.split_once('-') {
            Some((first, last)) => Some((first.parse().ok()?, last.parse().ok()?)),
            None => range.parse().ok().map(|slot| (slot, slot)),
        })
        .collect();
    Some(NodeView {
        port,
        master: flags.contains(&"master"),
        failing: flags.iter().any(|f| *f == "fail" || *f == "fail?"),
        slots,
    })
}

/// The live master that serves `slot`, in this view.
pub(crate) fn master_of(nodes: &[NodeView], slot: u16) -> Option<&NodeView> {
    nodes
        .iter()
        .find(|node| node.master && !node.failing && node.serves(slot))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &str = "\
a1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460
b2 127.0.0.1:30002@40002,host master - 0 1700000000000 2 connected 5461-10922 [10923->-c3]
c3 127.0.0.1:30003@40003 master,fail - 1700000000000 1700000000000 3 disconnected 10923-16383
d4 127.0.0.1:30004@40004 slave a1 0 1700000000000 1 connected
";

    #[test]
    fn masters_slots_and_failures_are_read() {
        let nodes = parse(NODES);

        assert_eq!(nodes.len(), 4);
        assert_eq!(nodes[0].slots, vec![(0, 5460)]);
        assert_eq!(nodes[1].port, 30002);
        assert_eq!(nodes[1].slots, vec![(5461, 10922)]);
        assert!(nodes[2].failing);
        assert!(!nodes[3].master);
    }

    #[test]
    fn a_failed_master_serves_nobody() {
        let nodes = parse(NODES);

        assert_eq!(master_of(&nodes, 0).map(|n| n.port), Some(30001));
        assert_eq!(master_of(&nodes, 10922).map(|n| n.port), Some(30002));
        assert_eq!(master_of(&nodes, 12000), None);
    }
}
