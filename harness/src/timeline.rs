//! A Mermaid sequence diagram of a run's cross-chain traffic: packets, acks, timeouts, drops and
//! faults between the chains, with simulated times.

use mesh_actors::trace::{TraceEvent, TraceKind};
use std::fmt::Write;

use crate::report::format_duration_ms;

fn participant(name: &str) -> String {
    name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_")
}

/// The diagram for `events`, with `provider` first and then `consumers`.
pub fn mermaid(events: &[TraceEvent], provider: &str, consumers: &[String]) -> String {
    let mut out = String::from("sequenceDiagram\n");
    for chain in std::iter::once(&provider.to_string()).chain(consumers) {
        let _ = writeln!(out, "    participant {} as {chain}", participant(chain));
    }
    for e in events {
        let t = format_duration_ms(e.t_ms);
        let line = match &e.kind {
            TraceKind::Step { index, action } => format!(
                "    Note over {},{}: step {index}: {action} (t={t})",
                participant(provider),
                participant(consumers.last().map(String::as_str).unwrap_or(provider))
            ),
            TraceKind::PacketReceived {
                from,
                to,
                seq,
                packet,
                ack,
                ..
            } => format!(
                "    {}->>{}: {packet} #{seq} t={t} ({ack})",
                participant(from),
                participant(to)
            ),
            TraceKind::AckDelivered {
                to,
                from,
                seq,
                packet,
                ack,
                ..
            } => format!(
                "    {}-->>{}: ack {ack} {packet} #{seq} t={t}",
                participant(from),
                participant(to)
            ),
            TraceKind::TimeoutDelivered {
                to,
                from,
                seq,
                packet,
                ..
            } => format!(
                "    {}--x{}: timeout {packet} #{seq} t={t}",
                participant(from),
                participant(to)
            ),
            TraceKind::PacketDropped {
                from, seq, packet, ..
            } => format!(
                "    Note over {}: dropped {packet} #{seq} t={t}",
                participant(from)
            ),
            TraceKind::Fault { target, fault } => {
                let chain = target
                    .split(' ')
                    .nth(1)
                    .map(|s| s.split(':').next().unwrap_or(s))
                    .unwrap_or(provider);
                let over = if chain == provider || consumers.iter().any(|c| c == chain) {
                    participant(chain)
                } else {
                    participant(provider)
                };
                format!("    Note over {over}: fault {target}: {fault} t={t}")
            }
            _ => continue,
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
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
            "sequenceDiagram\n    participant provider as provider\n    participant juno as juno\n    provider->>juno: stake #1 t=5s (ok)\n    juno-->>provider: ack ok stake #1 t=10s\n    juno--xprovider: timeout unstake #2 t=11m40s\n"
        );
    }
}
