//! A Mermaid sequence diagram of a run's cross-chain traffic: packets, acks, timeouts, drops and
//! faults between the chains, with simulated times.

use mesh_actors::trace::{TraceEvent, TraceKind};
use std::fmt::Write;

use crate::report::format_duration_ms;

/// Text made safe for a Mermaid label (a participant's name, a message, a note): Mermaid reads
/// `#` as a comment, `;` as the end of a statement and `<`, `>`, `&` as HTML, so these become
/// its entity codes (`#35;`, `#59;`, `#lt;`, `#gt;`, `#amp;`), which it renders as the
/// characters; line breaks and other control characters become spaces, spaces at either end
/// (which Mermaid trims) `#32;`, and the colon of a leading `wrap:` (a Mermaid directive) `#58;`.
pub fn escape_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    // Mermaid takes a leading `wrap:` or `nowrap:` as a directive, not as text.
    let lower = out.to_ascii_lowercase();
    if lower.starts_with("wrap:") || lower.starts_with("nowrap:") {
        out = out.replacen(':', "#58;", 1);
    }
    let body = out.trim_matches(' ');
    let leading = out.len() - out.trim_start_matches(' ').len();
    let trailing = out.len() - out.trim_end_matches(' ').len();
    if body.is_empty() {
        return "#32;".repeat(leading.max(1));
    }
    format!(
        "{}{body}{}",
        "#32;".repeat(leading),
        "#32;".repeat(trailing)
    )
}

/// The chains of a diagram: Mermaid ids `P` (the provider) and `C1`, `C2`, ... (the consumers
/// in order), so no chain id can clash with Mermaid's keywords or syntax; the chain ids are
/// the participants' escaped labels.
struct Participants<'a> {
    provider: &'a str,
    consumers: &'a [String],
}

impl Participants<'_> {
    /// The Mermaid id of a chain (the provider's for an unknown name).
    fn id(&self, chain: &str) -> String {
        match self.consumers.iter().position(|c| c == chain) {
            Some(i) if chain != self.provider => format!("C{}", i + 1),
            _ => "P".to_owned(),
        }
    }

    fn declarations(&self) -> String {
        let mut out = format!("    participant P as {}\n", escape_label(self.provider));
        for (i, chain) in self.consumers.iter().enumerate() {
            let _ = writeln!(out, "    participant C{} as {}", i + 1, escape_label(chain));
        }
        out
    }

    /// The span of a note over every chain.
    fn all(&self) -> String {
        match self.consumers.len() {
            0 => "P".to_owned(),
            n => format!("P,C{n}"),
        }
    }

    /// The chain a fault's target (`chain <id>`, `link <id>`, `contract <id>:<role>`) is on.
    fn fault_target(&self, target: &str) -> String {
        let name = target.split_once(' ').map(|(_, rest)| rest).unwrap_or("");
        let chain = name.split(':').next().unwrap_or(name);
        self.id(chain)
    }
}

/// The diagram for `events`, with `provider` first and then `consumers`.
pub fn mermaid(events: &[TraceEvent], provider: &str, consumers: &[String]) -> String {
    let chains = Participants {
        provider,
        consumers,
    };
    let mut out = String::from("sequenceDiagram\n");
    out.push_str(&chains.declarations());
    for e in events {
        let t = format_duration_ms(e.t_ms);
        let (arrow, text) = match &e.kind {
            TraceKind::Step { index, action } => (
                format!("Note over {}", chains.all()),
                format!("step {index}: {action} (t={t})"),
            ),
            TraceKind::PacketReceived {
                from,
                to,
                seq,
                packet,
                ack,
                ..
            } => (
                format!("{}->>{}", chains.id(from), chains.id(to)),
                format!("{packet} #{seq} t={t} ({ack})"),
            ),
            TraceKind::AckDelivered {
                to,
                from,
                seq,
                packet,
                ack,
                ..
            } => (
                format!("{}-->>{}", chains.id(from), chains.id(to)),
                format!("ack {ack} {packet} #{seq} t={t}"),
            ),
            TraceKind::TimeoutDelivered {
                to,
                from,
                seq,
                packet,
                ..
            } => (
                format!("{}--x{}", chains.id(from), chains.id(to)),
                format!("timeout {packet} #{seq} t={t}"),
            ),
            TraceKind::PacketDropped {
                from, seq, packet, ..
            } => (
                format!("Note over {}", chains.id(from)),
                format!("dropped {packet} #{seq} t={t}"),
            ),
            TraceKind::Fault { target, fault } => (
                format!("Note over {}", chains.fault_target(target)),
                format!("fault {target}: {fault} t={t}"),
            ),
            _ => continue,
        };
        let _ = writeln!(out, "    {arrow}: {}", escape_label(&text));
    }
    out
}

/// The diagram as Markdown: a `mermaid` fenced block (which GitHub renders), under a heading
/// with the scenario's name.
pub fn markdown(title: &str, diagram: &str) -> String {
    format!(
        "## {}\n\n```mermaid\n{diagram}```\n\n",
        title.replace(['\n', '\r'], " ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_acks_and_timeouts_become_arrows() {
        let events = vec![
            TraceEvent {
                t_ms: 5_000,
                kind: TraceKind::PacketReceived {
                    link: "juno".into(),
                    from: "provider".into(),
                    to: "juno".into(),
                    seq: 1,
                    packet: "stake".into(),
                    ack: "ok".into(),
                    error: None,
                },
            },
            TraceEvent {
                t_ms: 10_000,
                kind: TraceKind::AckDelivered {
                    link: "juno".into(),
                    to: "provider".into(),
                    from: "juno".into(),
                    seq: 1,
                    packet: "stake".into(),
                    ack: "ok".into(),
                    handler_error: None,
                },
            },
            TraceEvent {
                t_ms: 700_000,
                kind: TraceKind::TimeoutDelivered {
                    link: "juno".into(),
                    to: "provider".into(),
                    from: "juno".into(),
                    seq: 2,
                    packet: "unstake".into(),
                    handler_error: None,
                },
            },
        ];
        let m = mermaid(&events, "provider", &["juno".into()]);
        assert_eq!(
            m,
            "sequenceDiagram\n    participant P as provider\n    participant C1 as juno\n    P->>C1: stake #35;1 t=5s (ok)\n    C1-->>P: ack ok stake #35;1 t=10s\n    C1--xP: timeout unstake #35;2 t=11m40s\n"
        );
    }

    /// Characters Mermaid would read as syntax become entity codes; the rest is kept.
    #[test]
    fn labels_escape_mermaid_syntax() {
        assert_eq!(escape_label("osmosis-1"), "osmosis-1");
        assert_eq!(escape_label("a;b#c"), "a#59;b#35;c");
        assert_eq!(escape_label("<b>&`x`"), "#lt;b#gt;#amp;#96;x#96;");
        assert_eq!(escape_label("two\nlines\r\t"), "two lines#32;#32;");
        assert_eq!(escape_label(" end "), "#32;end#32;");
        assert_eq!(escape_label("\n"), "#32;");
        assert_eq!(escape_label("wrap:x"), "wrap#58;x");
        assert_eq!(escape_label("ユノ-1 🚀"), "ユノ-1 🚀");
    }

    /// Chain ids that are Mermaid keywords or full of its syntax still give one statement per
    /// line, each chain its own participant, and faults land over their chain.
    #[test]
    fn any_chain_id_gets_its_own_participant() {
        let consumers: Vec<String> = ["end", "a b;c", "x\ny#1", "par-->>opt"]
            .map(String::from)
            .to_vec();
        let events = vec![
            TraceEvent {
                t_ms: 1_000,
                kind: TraceKind::PacketReceived {
                    link: "x\ny#1".into(),
                    from: "x\ny#1".into(),
                    to: "participant".into(),
                    seq: 3,
                    packet: "valset_update".into(),
                    ack: "error".into(),
                    error: None,
                },
            },
            TraceEvent {
                t_ms: 2_000,
                kind: TraceKind::Fault {
                    target: "contract a b;c:converter".into(),
                    fault: "fail_next 1".into(),
                },
            },
            TraceEvent {
                t_ms: 3_000,
                kind: TraceKind::Fault {
                    target: "chain par-->>opt".into(),
                    fault: "halt for 1h until t=1h3s".into(),
                },
            },
        ];
        let m = mermaid(&events, "participant", &consumers);
        let lines: Vec<&str> = m.lines().collect();
        assert_eq!(
            lines,
            [
                "sequenceDiagram",
                "    participant P as participant",
                "    participant C1 as end",
                "    participant C2 as a b#59;c",
                "    participant C3 as x y#35;1",
                "    participant C4 as par--#gt;#gt;opt",
                "    C3->>P: valset_update #35;3 t=1s (error)",
                "    Note over C2: fault contract a b#59;c:converter: fail_next 1 t=2s",
                "    Note over C4: fault chain par--#gt;#gt;opt: halt for 1h until t=1h3s t=3s",
            ]
        );
    }

    /// The Markdown form is a heading and a `mermaid` fence around the diagram.
    #[test]
    fn markdown_wraps_the_diagram_in_a_mermaid_fence() {
        let md = markdown("demo", "sequenceDiagram\n");
        assert_eq!(md, "## demo\n\n```mermaid\nsequenceDiagram\n```\n\n");
    }
}
