//! Logs go to a file in the state dir, never to the terminal the UI draws on.

use std::path::PathBuf;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keeps the background log writer alive; drop it last to flush.
pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Only opsdeck's own targets (its modules and the `audit` target) log below `warn`, whatever
/// `OPSDECK_LOG` says: at `trace` the AWS SDK logs the resolved identity (the access key id) and
/// wire details, and credentials must never reach a log. An allow-list, so a dependency added later
/// is capped too.
const OWN_TARGETS: &[&str] = &["opsdeck", "audit"];

/// The file layer: `OPSDECK_LOG` (an `EnvFilter` spec; default `info`) and, on top, the cap on
/// every other crate. Both must let an event through, so no directive in the spec (not even one
/// naming a module deep inside the SDK) lifts another crate above `warn`.
fn file_layer<S, W>(spec: Option<&str>, writer: W) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + 'static,
{
    let env = spec
        .and_then(|s| EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let caps = OWN_TARGETS
        .iter()
        .fold(Targets::new().with_default(LevelFilter::WARN), |t, k| {
            t.with_target(*k, LevelFilter::TRACE)
        });
    tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_filter(env.and(caps))
}

/// Starts file logging. `OPSDECK_LOG` sets the filter (default `info`); the SDK stays at `warn`.
pub fn init() -> anyhow::Result<(LogGuard, PathBuf)> {
    let dir = crate::paths::state_dir();
    std::fs::create_dir_all(&dir)?;
    let appender = tracing_appender::rolling::never(&dir, "opsdeck.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let spec = std::env::var("OPSDECK_LOG").ok();
    tracing_subscriber::registry()
        .with(file_layer(spec.as_deref(), writer))
        .try_init()
        .ok();
    Ok((LogGuard(guard), dir.join("opsdeck.log")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(spec: Option<&str>) -> String {
        let buf = Buf::default();
        let out = buf.clone();
        let subscriber = tracing_subscriber::registry().with(file_layer(spec, move || out.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator::auth", "sdk-trace-marker");
            tracing::debug!(target: "aws_sigv4::http_request::sign", "sdk-debug-marker");
            tracing::warn!(target: "aws_smithy_runtime::client::retries", "sdk-warn-marker");
            tracing::debug!(target: "hyper_util::client", "other-debug-marker");
            tracing::trace!(target: "opsdeck::cloud", "own-trace-marker");
            tracing::info!(target: "opsdeck::cloud", "own-info-marker");
            tracing::info!(target: "audit", "audit-info-marker");
        });
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn other_crates_stay_at_warn_whatever_the_spec_says() {
        for spec in [
            None,
            Some("trace"),
            Some("debug,aws_smithy_runtime=trace"),
            Some("trace,aws_smithy_runtime::client::orchestrator::auth=trace,aws_sigv4=trace"),
        ] {
            let log = logged(spec);
            assert!(!log.contains("sdk-trace-marker"), "{spec:?}: {log}");
            assert!(!log.contains("sdk-debug-marker"), "{spec:?}: {log}");
            assert!(!log.contains("other-debug-marker"), "{spec:?}: {log}");
            assert!(log.contains("audit-info-marker"), "{spec:?}: {log}");
            assert!(log.contains("sdk-warn-marker"), "{spec:?}: {log}");
            assert!(log.contains("own-info-marker"), "{spec:?}: {log}");
        }
        assert!(logged(Some("trace")).contains("own-trace-marker"));
        assert!(!logged(None).contains("own-trace-marker"), "default: info");
    }
}
