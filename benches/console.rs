//! Console scale benchmarks on the simulator's `large` fleet, scaled to 10,000 and 100,000 instances
//! (rows of the instances table): index and table-model build, one frame, one scroll step, a filter
//! keystroke to the next frame, and a sort. Run: `cargo bench --bench console` (figures in
//! `benches/RESULTS.md`; the memory/first-frame/bytes figures come from `benches/measure.sh`).

// The allocator allowance (as `src/allocator.rs`): a counting wrapper over mimalloc for the memory
// report, and clippy's test allowances for a benchmark's set-up.
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{BenchmarkId, Criterion, criterion_group};
use opsdeck::tui::render;
use opsdeck::tui::theme::Theme;
use opsdeck_app::keys::{Key, KeyCode};
use opsdeck_app::resources::{InvIndex, ResourceKind};
use opsdeck_app::table::TableModel;
use opsdeck_app::{self as app, AppState, Input, Msg, Prefs, SessionInfo};
use opsdeck_core::cloud::{FetchOptions, fetch_inventory};
use opsdeck_core::domain::{Inventory, Timestamp};
use opsdeck_sim::{FleetSource, Sim, SimOptions, builtin_fleet};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZES: [usize; 2] = [10_000, 100_000];

/// Counts live heap bytes, so the memory report measures what the console holds, apart from the
/// simulator that produced the data. Over mimalloc, the binary's allocator, so RSS is comparable.
struct Counting;

static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        LIVE.fetch_sub(l.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: std::alloc::Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, std::sync::atomic::Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("VmRSS"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn live_mb() -> f64 {
    LIVE.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6
}

/// What the console holds for a fleet: the inventory, its indexes and the instances table model.
fn memory_report(instances: usize) {
    // In `--demo` the simulator's world lives in the process beside the console's inventory.
    let before_sim = live_mb();
    let sim = large_sim(instances);
    eprintln!(
        "  simulator world (what --demo adds): {:.1} MB",
        live_mb() - before_sim
    );
    drop(sim);
    let inv = fleet_inventory(instances);
    let base = live_mb();
    let resources = inv.resource_count();
    let metrics: usize = inv.metrics.iter().map(|m| m.points.len()).sum();
    // Measure the inventory by cloning it (the simulator's own copy is not the console's).
    // (Also the cost of `Inventory::compacted`, which is this copy.)
    let t = Instant::now();
    let copy = inv.clone();
    let copy_ms = t.elapsed().as_secs_f64() * 1e3;
    let inv_mb = live_mb() - base;
    drop(inv);
    let mut parts: Vec<(&str, f64)> = Vec::new();
    macro_rules! part {
        ($($f:ident),*) => {$(
            let b = live_mb();
            let c = copy.$f.clone();
            parts.push((stringify!($f), live_mb() - b));
            drop(c);
        )*};
    }
    part!(
        instances,
        volumes,
        snapshots,
        images,
        target_health,
        network_interfaces,
        metrics,
        events
    );
    let parts: Vec<String> = parts.iter().map(|(n, mb)| format!("{n} {mb:.1}")).collect();
    eprintln!("  inventory by kind (MB): {}", parts.join(", "));
    let before_state = live_mb();
    let s = loaded(copy);
    let state_mb = live_mb() - before_state;
    eprintln!(
        "  process: {:.0} MB live heap, RSS {} (the simulator that made the data is dropped; \
         freed memory the allocator keeps still counts in RSS)",
        live_mb(),
        rss()
    );
    eprintln!(
        "memory, {instances} instances ({resources} resources, {} metric series, {metrics} points): \
         inventory {inv_mb:.1} MB (copied in {copy_ms:.0} ms); console state (inventory + indexes + instances table) {state_mb:.1} MB",
        s.data.inv.metrics.len()
    );
}
/// The console showing `inv`: the freed pages handed back where the refresh task hands back the
/// fetch's (here the simulator's or the parse's too), the index and the instances table built,
/// the pages handed back again, one frame drawn.
fn shown(inv: Inventory) -> (AppState, Terminal<TestBackend>) {
    opsdeck::allocator::release_freed();
    let mut s = loaded(inv);
    opsdeck::allocator::release_freed();
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    term.draw(|f| render::draw(f, &mut s, &Theme::new(true, false)))
        .expect("draw");
    (s, term)
}

/// The console's state for a saved inventory, one frame drawn, then the process's RSS: what the
/// console costs with no simulator beside it (the JSON text is freed before measuring).
fn console_memory_from(path: &str) {
    let text = std::fs::read_to_string(path).expect("inventory file");
    let mut inv: Inventory = serde_json::from_str(&text).expect("inventory JSON");
    drop(text);
    inv.fill_derived();
    // As `fetch_inventory` leaves it: exact lists, packed.
    let inv = inv.compacted();
    let resources = inv.resource_count();
    let _shown = shown(inv);
    eprintln!(
        "console alone with {resources} resources: {:.0} MB live heap, RSS {}",
        live_mb(),
        rss()
    );
}

/// The console holding a fleet's inventory fetched as the binary fetches it (through `CloudRead`),
/// indexed, its instances table built and one frame drawn, then the process's RSS: what the
/// console costs against AWS. The simulator that answered is dropped before the freed pages are
/// handed back (where the refresh task hands back the fetch's, and again after the index and the
/// table are built), since against AWS it is not in the process. Then a refresh: a second fetch
/// replaces the inventory, the old one let go of as the event loop lets go of it, and RSS again.
fn console_memory(instances: usize) {
    let start = rss();
    let inv = fleet_inventory(instances);
    let resources = inv.resource_count();
    let (mut s, mut term) = shown(inv);
    let theme = Theme::new(true, false);
    let first = rss();
    let first_live = live_mb();

    let fx = app::update(&mut s, Input::Key(Key::ctrl('r')));
    let Some(app::Effect::Fetch { generation, .. }) = fx.first().cloned() else {
        panic!("ctrl-r fetches: {fx:?}");
    };
    let next = fleet_inventory(instances);
    opsdeck::allocator::release_freed();
    let old = std::sync::Arc::clone(&s.data.inv);
    install(&mut s, generation, next);
    opsdeck::allocator::free_now(old);
    term.draw(|f| render::draw(f, &mut s, &theme))
        .expect("draw");
    eprintln!(
        "console with {instances} instances ({resources} resources): {first_live:.0} MB live heap, \
         RSS {first} (RSS before loading: {start}); after a refresh: {:.0} MB live heap, RSS {}",
        live_mb(),
        rss()
    );
    drop(s);
}

const W: u16 = 160;
const H: u16 = 48;

fn epoch() -> Timestamp {
    chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default()
}

/// The simulator's `large` demo fleet with `instances` instances (the file says 10,000).
fn large_sim(instances: usize) -> Sim {
    let text = builtin_fleet("large")
        .expect("large fleet is built in")
        .replace("instances = 10000", &format!("instances = {instances}"));
    Sim::new(SimOptions {
        fleet: FleetSource::Toml(text),
        seed: 1,
        speed: 1.0,
        epoch: Some(epoch()),
    })
    .expect("fleet loads")
}

/// The `large` demo fleet's inventory with `instances` instances.
pub fn fleet_inventory(instances: usize) -> Inventory {
    let sim = large_sim(instances);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(fetch_inventory(&sim.readers(), &FetchOptions::default()))
}

fn loaded(inv: Inventory) -> AppState {
    let regions: Vec<String> = inv.regions.iter().map(|r| r.region.clone()).collect();
    let mut s = AppState::new(Prefs::default(), None, vec![], epoch());
    let fx = app::startup(&mut s);
    let Some(app::Effect::Connect { generation, .. }) = fx.first().cloned() else {
        panic!("connect expected");
    };
    let fx = app::update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation,
            result: Ok(SessionInfo {
                label: "bench".into(),
                profile: None,
                regions,
                read_only: false,
                color: None,
                simulated: false,
            }),
        }),
    );
    let Some(app::Effect::Fetch { generation, .. }) = fx.first().cloned() else {
        panic!("fetch expected");
    };
    install(&mut s, generation, inv);
    s
}

/// The refresh task's answer for `generation` taken in, and the table model it asks for built.
fn install(s: &mut AppState, generation: u64, inv: Inventory) {
    let fx = app::update(
        s,
        Input::Msg(Msg::Inventory {
            generation,
            inv: Box::new(inv),
            index: None,
            model: None,
        }),
    );
    // A table this large is built by a task in the console: do the task's work here.
    for e in fx {
        if let app::Effect::BuildModel {
            generation,
            data,
            request,
        } = e
        {
            let built = app::build_model(request, &data.inv, &data.index);
            app::update(
                s,
                Input::Msg(Msg::ModelBuilt {
                    generation,
                    built: Box::new(built),
                }),
            );
        }
    }
}

fn key(s: &mut AppState, c: char) {
    app::update(s, Input::Key(Key::ch(c)));
}

fn bench(c: &mut Criterion) {
    let theme = Theme::new(true, false);
    let mut group = c.benchmark_group("console");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(4));
    group.warm_up_time(Duration::from_secs(1));
    for n in SIZES {
        let started = Instant::now();
        let inv = fleet_inventory(n);
        eprintln!(
            "fleet of {n} instances: {} resources, {} instance rows, fetched in {:?}",
            inv.resource_count(),
            inv.instances.len(),
            started.elapsed()
        );
        let rows: Vec<u32> = (0..inv.instances.len() as u32).collect();

        group.bench_with_input(BenchmarkId::new("index_build", n), &inv, |b, inv| {
            b.iter(|| black_box(InvIndex::build(inv)))
        });
        let index = InvIndex::build(&inv);
        group.bench_with_input(BenchmarkId::new("table_model_build", n), &inv, |b, inv| {
            let ctx = opsdeck_app::resources::IndexedCtx {
                inv,
                index: &index,
                now: epoch(),
            };
            b.iter(|| {
                black_box(TableModel::build(
                    ResourceKind::Instances,
                    &ctx,
                    rows.clone(),
                    true,
                ))
            })
        });

        let mut s = loaded(inv);
        let mut term = Terminal::new(TestBackend::new(W, H)).expect("test backend");
        term.draw(|f| render::draw(f, &mut s, &theme))
            .expect("draw");
        if let Some(m) = s
            .top_table_key()
            .cloned()
            .and_then(|k| s.view(&k))
            .and_then(|v| v.model.as_ref())
        {
            eprintln!(
                "table model of {} rows holds {:.1} MB",
                m.total(),
                m.heap_bytes() as f64 / 1e6
            );
        }

        group.bench_function(BenchmarkId::new("frame", n), |b| {
            b.iter(|| {
                s.dirty = true;
                term.draw(|f| render::draw(f, &mut s, &theme))
                    .expect("draw");
            })
        });

        let mut down = true;
        group.bench_function(BenchmarkId::new("scroll_step_to_frame", n), |b| {
            b.iter(|| {
                key(&mut s, if down { 'j' } else { 'k' });
                down = !down;
                term.draw(|f| render::draw(f, &mut s, &theme))
                    .expect("draw");
            })
        });

        // Filter keystrokes, each measured from the key to the finished frame. The characters
        // change every time, so the filter history (the last 8 filters) never answers for them.
        let letters: Vec<char> = ('a'..='z').collect();
        let rare: Vec<char> = "#$&*+=^~`|<>@".chars().collect();
        let mut li = 0usize;
        let measure = |s: &mut AppState,
                       term: &mut Terminal<TestBackend>,
                       typed_before: &[char],
                       measured: Key|
         -> Duration {
            key(s, '/');
            for c in typed_before {
                key(s, *c);
            }
            let t = Instant::now();
            app::update(s, Input::Key(measured));
            term.draw(|f| render::draw(f, s, &theme)).expect("draw");
            let d = t.elapsed();
            app::update(s, Input::Key(Key::plain(KeyCode::Esc)));
            d
        };

        // The first keystroke: a scan of every row's text.
        group.bench_function(BenchmarkId::new("filter_first_key_to_frame", n), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        li += 1;
                        measure(&mut s, &mut term, &[], Key::ch(letters[li % 26]))
                    })
                    .sum()
            })
        });
        // The worst first keystroke: a character no row contains, so all the text is scanned.
        group.bench_function(
            BenchmarkId::new("filter_first_key_no_match_to_frame", n),
            |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| {
                            li += 1;
                            let c = rare[li % rare.len()];
                            measure(&mut s, &mut term, &[], Key::ch(c))
                        })
                        .sum()
                })
            },
        );
        // A further keystroke narrows the rows already shown.
        group.bench_function(BenchmarkId::new("filter_next_key_to_frame", n), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        li += 1;
                        let c = letters[li % 26];
                        measure(&mut s, &mut term, &[c], Key::ch('e'))
                    })
                    .sum()
            })
        });
        // Backspace after three characters: from the history when it has it, else a rescan.
        group.bench_function(BenchmarkId::new("filter_backspace_to_frame", n), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        li += 1;
                        let c = letters[li % 26];
                        measure(
                            &mut s,
                            &mut term,
                            &[c, 'e', 'b'],
                            Key::plain(KeyCode::Backspace),
                        )
                    })
                    .sum()
            })
        });

        group.bench_function(BenchmarkId::new("sort_key_to_frame", n), |b| {
            b.iter(|| {
                key(&mut s, 's');
                term.draw(|f| render::draw(f, &mut s, &theme))
                    .expect("draw");
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);

// mimalloc set up as `main.rs` sets it up for the binary.
opsdeck::configure_allocator_before_main!();

fn main() {
    // `cargo bench --bench console -- --memory-only`: the memory report alone (any profile: the
    // sizes do not depend on optimisation).
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--memory-only") {
        memory_report(22_000);
        return;
    }
    // `cargo bench --bench console -- --memory-console [INSTANCES]`: the console alone, its
    // inventory fetched from the simulator as the binary fetches it (default 22,000 instances).
    if let Some(i) = args.iter().position(|a| a == "--memory-console") {
        let n = args
            .get(i + 1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(22_000);
        console_memory(n);
        return;
    }
    // `cargo bench --bench console -- --memory-from FILE`: the console alone holding an inventory
    // saved by `opsdeck inventory --format json` (no simulator in the process, as against AWS).
    if let Some(path) = args
        .iter()
        .position(|a| a == "--memory-from")
        .and_then(|i| args.get(i + 1))
    {
        console_memory_from(path);
        return;
    }
    if args.iter().any(|a| a == "--bench") {
        for n in [22_000, 100_000] {
            memory_report(n);
        }
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
