//! Hessian-aware rounding of weight tensors (GPTQ, Frantar et al. 2023; OBQ): instead of rounding every weight to
//! the nearest value of its format, a weight row is rounded one column after the other and each rounding error
//! is compensated on the row's remaining weights, along the inverse of `H = Σ x xᵀ`, the second moment of the
//! inputs `x` that the row multiplies (captured on calibration inputs). The rounded weights still lie on the
//! format's grid, so nothing changes in the formats, the static types or the kernels: a tuned build loads the
//! rounded values (`tuned.safetensors`, written by the driver) instead of the trained ones, and quantizes them
//! exactly like emulation does. What it buys is accuracy at a given width: with 2-bit weights the zoo's LeNet
//! keeps 95.1% of MNIST validation images where rounding to nearest keeps 57.3% (f32 99.4%; the test
//! `gptq_rounding_beats_rounding_to_nearest_at_two_bits` in `tests/zoo_calibrate.rs`).
//!
//! The parts:
//! - **capture** ([`start_capture`], [`finish_capture`]): in calibrate builds every accumulation loop over a
//!   weight row (`acc += w[o·n + i] · x[i]`, and the lanes nests of convolutions) reports the vector the row
//!   multiplies (`Frame::gram`, `Frame::gram_columns`, emitted by `#[quantize]`); the second moments are summed
//!   per weight site — once per layer call when every row multiplies the same inputs (dense layers,
//!   convolutions: detected by the operand's address), per row otherwise (depthwise convolutions). A loop may
//!   also read a *piece* of a row (a direct convolution whose kernel loop is clipped at the padding: the first
//!   output reads taps 1..3 of 3; a recurrent cell whose row `[W_x | W_h]` is read in two loops): once a read
//!   is not a whole row, the site's reads are taken as segments of rows of a length `N` inferred from the
//!   reads (the next row reads the same inputs `N` indices further on), each output's segments are assembled
//!   per thread into a whole row of inputs (zeros where nothing was read: exact for padding and any stride) and
//!   its `x xᵀ` is summed like a whole row's. Sites that read whole rows are captured exactly as before;
//! - the **solver** ([`gptq`]): the rounding of a row-major tensor given `H` and an element quantizer;
//! - **emulation** ([`set_enabled`]): `Frame::weights` of a configuration quantizes a captured weight site's
//!   GPTQ-rounded tensor (computed once per site and format, cached) instead of the trained one;
//! - **loading** ([`crate::rounded_weights`]): the driver installs the rounded tensors of a
//!   tuned.rs, keyed by the content of the trained tensor they replace ([`content_key`]), and the model's weight
//!   loader substitutes them.
use crate::Format;
use crate::emulate::site_names;
pub use crate::rounded_weights::{Rounded, content_key};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::ThreadId;

static CAPTURE: AtomicBool = AtomicBool::new(false);
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Most `f64` entries of per-row second moments one site may hold (rows × n²).
const MAX_PER_ROW: usize = 1 << 24;

/// Most `f32` values one thread may hold for a segmented site before its row length is known.
const MAX_UNPLACED: usize = 1 << 24;

/// Dampening of `H`'s diagonal, as a share of its mean (GPTQ's `percdamp`).
pub const DAMP: f64 = 0.01;

/// The captured second moments of one weight site.
#[derive(Default)]
struct Gram {
    /// Row length (0 while unknown).
    n: usize,
    /// `H` of the inputs shared by every row (upper triangle accumulated, row-major `n × n`).
    shared: Vec<f64>,
    /// `H` of rows whose inputs differ from row 0's, by row index.
    rows: BTreeMap<usize, Vec<f64>>,
    /// Why the site cannot be rounded this way (then it is rounded to nearest).
    unsupported: Option<String>,
    /// Upper Cholesky factors of the dampened inverses: shared, then per row.
    factors: Option<Arc<Factors>>,
    /// Some loop read part of a row (a kernel loop clipped at the padding, a row `[W_x | W_h]` read in two
    /// loops): the reads are segments of rows, assembled per output into whole rows (see [`segment`]).
    segmented: bool,
    /// The reads in progress, per thread.
    threads: HashMap<ThreadId, Reads>,
    /// Segments: the columns some read covered.
    seen: Vec<bool>,
    /// The weight tensor read at this site `(address, length)` (see [`saw_tensor`]).
    tensor: Option<(usize, usize)>,
    /// Some inner product read the site's rows (a site only seen by [`saw_tensor`] was never multiplied).
    read: bool,
}

/// One read of a weight row segment: `x` multiplies the weights `[start, start + x.len())`.
struct Read {
    start: usize,
    /// Address of the operand (which inputs these are).
    addr: usize,
    x: Vec<f32>,
}

/// A thread's reads of one weight site.
#[derive(Default)]
struct Reads {
    /// Whole-row capture: the last read, replayed when the next one turns the site into segments (it may be the
    /// first segment of that row).
    last: Option<Read>,
    /// Segments before the row length is known, in order.
    unplaced: Vec<Read>,
    unplaced_len: usize,
    /// The first segment read `(start, len, address)`: the next read of the same inputs at a later index is the
    /// same read of the next row, which gives the row length.
    first: Option<(usize, usize, usize)>,
    /// The row being assembled: one output's inputs.
    group: Group,
    /// Signatures of the assembled rows of row 0 since the last row-0 row that followed another row (in one
    /// call of the layer): a later row with one of them multiplies the same inputs (already counted).
    row0: HashSet<u64>,
    /// Row of the last assembled row.
    last_row: usize,
}

#[derive(Default)]
struct Group {
    row: usize,
    /// The full row of inputs: zero where no segment was read (padding).
    x: Vec<f32>,
    filled: Vec<bool>,
    any: bool,
    /// Hash of the segments' (column, length, address).
    sig: u64,
}

struct Factors {
    /// Row length.
    n: usize,
    shared: Option<Vec<f64>>,
    rows: BTreeMap<usize, Vec<f64>>,
}

fn grams() -> &'static Mutex<HashMap<u32, Gram>> {
    static G: OnceLock<Mutex<HashMap<u32, Gram>>> = OnceLock::new();
    G.get_or_init(Default::default)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

thread_local! {
    /// Per weight site, the address of the operand row 0 multiplied last on this thread.
    static ROW0: RefCell<HashMap<u32, usize>> = RefCell::new(HashMap::new());
}

/// Starts capturing second moments (forgets earlier ones and every cached rounding).
pub fn start_capture() {
    lock(grams()).clear();
    lock(cache()).clear();
    CAPTURE.store(true, Ordering::SeqCst);
}

/// Stops capturing; returns the names of the weight sites whose inputs were captured.
pub fn finish_capture() -> Vec<String> {
    CAPTURE.store(false, Ordering::SeqCst);
    let names = site_names();
    let mut g = lock(grams());
    for gram in g.values_mut() {
        finish_segments(gram);
        let finite = gram
            .shared
            .iter()
            .chain(gram.rows.values().flatten())
            .all(|v| v.is_finite());
        if gram.unsupported.is_none() && !finite {
            gram.unsupported = Some("its inputs held NaN or infinite values".into());
        }
    }
    let mut v: Vec<String> = g
        .iter()
        .filter(|(_, g)| g.read && g.unsupported.is_none())
        .filter_map(|(s, _)| names.get(*s as usize).cloned())
        .collect();
    v.sort();
    v
}

/// The weight sites whose inputs were seen but which GPTQ cannot round (they are rounded to nearest), with the
/// reason: rows read in pieces whose row length could not be inferred, too many rows with inputs of their own,
/// several tensors sharing the site, or inputs that held NaN or infinite values.
pub fn skipped() -> Vec<(String, String)> {
    let names = site_names();
    let mut v: Vec<(String, String)> = lock(grams())
        .iter()
        .filter(|(_, g)| g.read)
        .filter_map(|(s, g)| Some((names.get(*s as usize)?.clone(), g.unsupported.clone()?)))
        .collect();
    v.sort();
    v
}

/// Whether second moments are being captured.
#[inline(always)]
pub fn capturing() -> bool {
    CAPTURE.load(Ordering::Relaxed)
}

/// Which `H` a call of row `start / n` adds to (`None`: nothing to add), after the shared-input check.
fn target(g: &mut Gram, slot: u32, start: usize, n: usize, addr: usize) -> Option<Option<usize>> {
    if g.unsupported.is_some() {
        return None;
    }
    if g.n == 0 {
        g.n = n;
        g.shared = vec![0.0; n * n];
    }
    if g.n != n || !start.is_multiple_of(n) {
        g.unsupported = Some(format!(
            "a lanes nest read {n} values from index {start}, not a whole row of {}: GPTQ assembles rows \
             read in pieces only from single accumulation loops (`acc += w[..] * x[..]`); read whole rows \
             in the lanes nest",
            g.n
        ));
        return None;
    }
    let row = start / n;
    let first = ROW0.with(|r| {
        let mut r = r.borrow_mut();
        if row == 0 {
            r.insert(slot, addr);
        }
        r.get(&slot).copied()
    });
    if row == 0 {
        return Some(None);
    }
    if first == Some(addr) {
        return None; // the same inputs as row 0: already counted
    }
    if !room_for_row(g) {
        return None;
    }
    Some(Some(row))
}

/// Whether one more row with inputs of its own fits (otherwise the site is marked unsupported).
fn room_for_row(g: &mut Gram) -> bool {
    let n = g.n;
    if (g.rows.len() + 2) * n * n > MAX_PER_ROW {
        g.unsupported = Some(format!(
            "rows with inputs of their own: more than {MAX_PER_ROW} second moments"
        ));
        return false;
    }
    true
}

fn h_of(g: &mut Gram, row: Option<usize>) -> &mut Vec<f64> {
    let n = g.n;
    match row {
        None => &mut g.shared,
        Some(r) => g.rows.entry(r).or_insert_with(|| vec![0.0; n * n]),
    }
}

/// Adds the upper triangle of `x xᵀ` to `h` (`n × n`, `n = x.len()`).
fn add_outer(h: &mut [f64], x: &[f32]) {
    let n = x.len();
    for (i, &xi) in x.iter().enumerate() {
        if xi == 0.0 {
            continue;
        }
        let xi = xi as f64;
        for (hij, &xj) in h[i * n + i..(i + 1) * n].iter_mut().zip(&x[i..]) {
            *hij += xi * xj as f64;
        }
    }
}

/// Notes that weight site `slot` reads the tensor at `addr` of `len` values (`Frame::weights` while capturing).
/// GPTQ rounds one tensor per site, compensating along the second moments of that tensor's inputs: when a
/// second tensor shares the site (the layers of a `Vec<Layer<L>>` of one instance), the site is rounded to
/// nearest, with a message that says why and what to write instead.
pub(crate) fn saw_tensor(slot: u32, addr: usize, len: usize) {
    let mut all = lock(grams());
    let g = all.entry(slot).or_default();
    match g.tensor {
        None => g.tensor = Some((addr, len)),
        Some(t) if t == (addr, len) || g.unsupported.is_some() => {}
        Some(_) => {
            g.unsupported = Some(
                "several weight tensors share this site (the layers of one instance, such as a \
                 `Vec<Layer<L>>`, or one layer function called with different weights under one instance), and \
                 GPTQ rounds one tensor per site; give each layer an instance of its own \
                 (`number_rt::instances!`) to have GPTQ round it"
                    .to_string(),
            )
        }
    }
}

/// Adds `x xᵀ` to the second moments of weight site `slot` for a read of the weights `[start, start + x.len())`
/// (`Frame::gram`). While every read is a whole row (a slice of one length starting at a multiple of it), `x`
/// is a row's inputs; once one is not, the site's reads are taken as segments of rows ([`segment`]).
#[cold]
#[inline(never)]
pub(crate) fn record_dot(slot: u32, start: usize, x: &[f32]) {
    let n = x.len();
    if n == 0 {
        return;
    }
    let addr = x.as_ptr() as usize;
    let mut all = lock(grams());
    let g = all.entry(slot).or_default();
    g.read = true;
    if g.unsupported.is_some() {
        return;
    }
    let tid = std::thread::current().id();
    if !g.segmented {
        if start.is_multiple_of(n) && (g.n == 0 || g.n == n) {
            let last = &mut g.threads.entry(tid).or_default().last;
            match last {
                Some(r) => {
                    r.start = start;
                    r.addr = addr;
                    r.x.clear();
                    r.x.extend_from_slice(x);
                }
                None => {
                    *last = Some(Read {
                        start,
                        addr,
                        x: x.to_vec(),
                    })
                }
            }
            let Some(row) = target(g, slot, start, n, addr) else {
                return;
            };
            add_outer(h_of(g, row), x);
            return;
        }
        // Not a whole row: start over with segments (the whole-row moments so far are dropped; the last read
        // of each thread is replayed, as it may be this row's first segment).
        g.segmented = true;
        g.n = 0;
        g.shared = Vec::new();
        g.rows.clear();
        for r in g.threads.values_mut() {
            if let Some(l) = r.last.take() {
                r.first = Some((l.start, l.x.len(), l.addr));
                r.unplaced_len = l.x.len();
                r.unplaced = vec![l];
            }
        }
    }
    let mut r = g.threads.remove(&tid).unwrap_or_default();
    segment(g, &mut r, start, addr, x);
    g.threads.insert(tid, r);
}

/// One segment read by a thread: before the row length `N` is known, kept (and watched for the row length);
/// then placed into the row being assembled.
///
/// The row length: a layer whose rows multiply the same inputs (dense, convolution, recurrent cell) reads, in
/// the next row, the same inputs in the same order `N` indices further on; so the first later read of the
/// same operand (address and length) as the thread's first read gives `N`.
fn segment(g: &mut Gram, r: &mut Reads, start: usize, addr: usize, x: &[f32]) {
    if g.n == 0 {
        match r.first {
            None => r.first = Some((start, x.len(), addr)),
            Some((s0, l0, a0)) if a0 == addr && l0 == x.len() && start > s0 => {
                g.n = start - s0;
                g.shared = vec![0.0; g.n * g.n];
                g.seen = vec![false; g.n];
            }
            _ => {}
        }
        if g.n == 0 {
            r.unplaced_len += x.len();
            if r.unplaced_len > MAX_UNPLACED {
                g.unsupported = Some(format!(
                    "{}; more than {MAX_UNPLACED} values were read before the row length was found",
                    pieces_reason(r)
                ));
                return;
            }
            r.unplaced.push(Read {
                start,
                addr,
                x: x.to_vec(),
            });
            return;
        }
    }
    place_unplaced(g, r);
    place(g, r, start, addr, x);
}

/// Places the segments a thread read before the row length was known.
fn place_unplaced(g: &mut Gram, r: &mut Reads) {
    for u in std::mem::take(&mut r.unplaced) {
        place(g, r, u.start, u.addr, &u.x);
    }
    r.unplaced_len = 0;
}

/// Adds a segment to the row being assembled; a segment of another row, or one that reads a column the row
/// already has (the next output), first completes it ([`flush`]).
fn place(g: &mut Gram, r: &mut Reads, start: usize, addr: usize, x: &[f32]) {
    if g.unsupported.is_some() {
        return;
    }
    let (n, len) = (g.n, x.len());
    let (row, col) = (start / n, start % n);
    if col + len > n {
        g.unsupported = Some(format!(
            "a loop read {len} values from index {start}, across the end of a row of {n} values (the row \
             length as inferred from the first row that read the same inputs again); read each output \
             channel's weights in loops that stay within its row"
        ));
        return;
    }
    let grp = &mut r.group;
    if grp.any && (row != grp.row || grp.filled[col..col + len].iter().any(|&f| f)) {
        flush(g, r);
        if g.unsupported.is_some() {
            return;
        }
    }
    g.seen[col..col + len].fill(true);
    let grp = &mut r.group;
    if grp.x.len() != n {
        grp.x = vec![0.0; n];
        grp.filled = vec![false; n];
    }
    grp.row = row;
    grp.any = true;
    grp.x[col..col + len].copy_from_slice(x);
    grp.filled[col..col + len].fill(true);
    grp.sig = mix(grp.sig ^ mix(col as u64 ^ ((len as u64) << 32)) ^ mix(addr as u64 ^ 0x5bd1));
}

/// SplitMix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Adds the assembled row's `x xᵀ` (zeros where nothing was read: exact for padding) to `H`: the shared one for
/// row 0, none for a later row that multiplied the same inputs as a row 0 of this call, its own otherwise.
fn flush(g: &mut Gram, r: &mut Reads) {
    let grp = &mut r.group;
    if !grp.any {
        return;
    }
    let row = grp.row;
    let to = if row == 0 {
        if r.last_row > 0 || r.row0.len() > 1 << 20 {
            r.row0.clear();
        }
        r.row0.insert(grp.sig);
        Some(None)
    } else if r.row0.contains(&grp.sig) {
        None
    } else if room_for_row(g) {
        Some(Some(row))
    } else {
        None
    };
    r.last_row = row;
    if let Some(to) = to {
        add_outer(h_of(g, to), &r.group.x);
    }
    let grp = &mut r.group;
    grp.x.fill(0.0);
    grp.filled.fill(false);
    grp.any = false;
    grp.sig = 0;
}

/// Why a segmented site's row length is unknown.
fn pieces_reason(r: &Reads) -> String {
    let (start, len, _) = r.first.unwrap_or_default();
    format!(
        "its loops read rows in pieces ({len} values from index {start}: a kernel loop clipped at the padding, \
         a row read in several loops), and the row length could not be inferred: no later row read the same \
         inputs as the first piece (one output channel, or rows with inputs of their own such as a clipped \
         depthwise convolution); read each output channel's weights whole in one loop (e.g. zero-pad the input \
         instead of clipping the kernel loop) to have it rounded with GPTQ"
    )
}

/// At the end of a capture: places every thread's pending segments and completes its last row.
fn finish_segments(g: &mut Gram) {
    let threads = std::mem::take(&mut g.threads);
    if !g.segmented || g.unsupported.is_some() {
        return;
    }
    if g.n == 0 {
        if let Some(r) = threads.values().find(|r| r.first.is_some()) {
            g.unsupported = Some(pieces_reason(r));
        }
        return;
    }
    let mut ids: Vec<ThreadId> = threads.keys().copied().collect();
    ids.sort_by_key(|t| format!("{t:?}"));
    let mut threads = threads;
    for id in ids {
        let mut r = threads.remove(&id).unwrap_or_default();
        place_unplaced(g, &mut r);
        flush(g, &mut r);
    }
    // Columns no read covered: their inputs were read by a loop capture did not see, and GPTQ would take
    // them for inputs that are always zero (and push the other columns' errors onto their weights).
    if g.unsupported.is_none()
        && let Some(a) = g.seen.iter().position(|&s| !s)
    {
        let b = a + g.seen[a..].iter().take_while(|&&s| !s).count();
        g.unsupported = Some(format!(
            "its rows of {} values are read in pieces, and no loop that GPTQ sees read columns {a}..{b}: they \
             are read by a loop #[quantize] does not take for an accumulation loop (`for i in lo..hi {{ acc += \
             w[..] * x[..] }}` with bounds that mention no site: bind `let n = h.len();` before the loop \
             rather than `0..h.len()`), or never",
            g.n
        ));
    }
}

/// Adds `Σ_p c_p c_pᵀ` (`c_p[k] = col(k)[p]`, `p < m`) for a row of `n` values starting at `start`
/// (`Frame::gram_columns`: each lane of a lanes nest multiplies the row by its column).
/// (Out of line and not generic: the emulated kernels it sits beside stay as small as without it.)
#[cold]
#[inline(never)]
pub(crate) fn record_columns<'b>(
    slot: u32,
    start: usize,
    n: usize,
    m: usize,
    col: &dyn Fn(usize) -> &'b [f32],
) {
    let cols: Vec<&[f32]> = (0..n).map(|k| &col(k)[..m]).collect();
    let addr = cols.first().map_or(0, |c| c.as_ptr() as usize);
    let mut all = lock(grams());
    let g = all.entry(slot).or_default();
    g.read = true;
    if g.segmented && g.unsupported.is_none() {
        g.unsupported = Some(format!(
            "a lanes nest read {n} values from index {start} while other loops read its rows in pieces: GPTQ \
             assembles rows read in pieces only from single accumulation loops (`acc += w[..] * x[..]`)"
        ));
    }
    let Some(row) = target(g, slot, start, n, addr) else {
        return;
    };
    let h = h_of(g, row);
    for i in 0..n {
        for j in i..n {
            let s: f32 = cols[i].iter().zip(cols[j]).map(|(a, b)| a * b).sum();
            h[i * n + j] += s as f64;
        }
    }
}

/// Turns GPTQ rounding on or off in emulation (`Frame::weights`), for the sites whose inputs were captured.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::SeqCst);
}

/// Whether emulation rounds captured weight sites with GPTQ.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

type Cache = HashMap<(u32, Format), Option<Arc<Rounded>>>;

fn cache() -> &'static Mutex<Cache> {
    static C: OnceLock<Mutex<Cache>> = OnceLock::new();
    C.get_or_init(Default::default)
}

/// The GPTQ rounding of weight tensor `w` (site `slot`) for `format`, when rounding is enabled and the site's
/// inputs were captured (`Frame::weights`). Cached per site and format.
pub(crate) fn rounded(slot: u32, format: Format, w: &[f32]) -> Option<Arc<Rounded>> {
    if !enabled() || format == Format::F32 {
        return None;
    }
    if let Some(r) = lock(cache()).get(&(slot, format)) {
        return r.clone();
    }
    let factors = {
        let mut all = lock(grams());
        let g = all.get_mut(&slot)?;
        if g.unsupported.is_some() || g.n == 0 || !w.len().is_multiple_of(g.n) {
            return None;
        }
        match &g.factors {
            Some(f) => f.clone(),
            None => {
                let n = g.n;
                let f = Arc::new(Factors {
                    n,
                    shared: inverse_factor(&g.shared, n),
                    rows: g
                        .rows
                        .iter()
                        .filter_map(|(r, h)| Some((*r, inverse_factor(h, n)?)))
                        .collect(),
                });
                g.factors = Some(f.clone());
                f
            }
        }
    };
    let n = factors.n;
    let q = element_quantizer(format, w);
    let mut values = vec![0f32; w.len()];
    for (r, (row, out)) in w.chunks(n).zip(values.chunks_mut(n)).enumerate() {
        match factors.rows.get(&r).or(factors.shared.as_ref()) {
            Some(u) => gptq_row(row, u, |i, x| q(r * n + i, x), out),
            None => {
                for (i, (o, &x)) in out.iter_mut().zip(row).enumerate() {
                    *o = q(r * n + i, x);
                }
            }
        }
    }
    let r = Some(Arc::new(Rounded {
        key: content_key(w),
        format,
        values,
    }));
    lock(cache()).insert((slot, format), r.clone());
    r
}

/// The weights of a weighted codebook fit of tensor `w` (site `slot`, `len` values): for each weight the second
/// moment `H_ii = Σ x_i²` of the input it multiplies (its row's own `H` when the row's inputs differ, else the
/// shared one), the statistics GPTQ uses; `None` when rounding is off or the site's inputs were not captured.
pub(crate) fn input_moments(slot: u32, len: usize) -> Option<Vec<f32>> {
    if !enabled() {
        return None;
    }
    let all = lock(grams());
    let g = all.get(&slot)?;
    let n = g.n;
    if g.unsupported.is_some() || n == 0 || !len.is_multiple_of(n) {
        return None;
    }
    let mut out = Vec::with_capacity(len);
    for r in 0..len / n {
        let h = g.rows.get(&r).unwrap_or(&g.shared);
        if h.len() < n * n {
            return None;
        }
        out.extend((0..n).map(|i| h[i * n + i] as f32));
    }
    Some(out)
}

/// The rounded tensors of the given weight sites under their formats (those computed by emulation so far):
/// `(site name, rounding)`, what the driver writes to `tuned.safetensors`.
pub fn rounded_sites(config: &crate::emulate::Config) -> Vec<(String, Rounded)> {
    let names = site_names();
    let c = lock(cache());
    let mut v: Vec<(String, Rounded)> = c
        .iter()
        .filter_map(|((slot, f), r)| {
            let name = names.get(*slot as usize)?;
            let r = r.as_ref()?;
            (config.get(name) == Some(f)).then(|| (name.clone(), (**r).clone()))
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The quantizer of element `j` of tensor `w` under `format`: the format's own rounding, except that block
/// formats use the binary point their block gets from the trained values (`block_frac`).
fn element_quantizer(format: Format, w: &[f32]) -> impl Fn(usize, f32) -> f32 {
    let blocks = match format {
        Format::Block { w: bits, f, len } => {
            let len = len.max(1) as usize;
            Some((
                bits,
                len,
                w.chunks(len)
                    .map(|b| crate::blocked::block_frac(b, bits, f))
                    .collect::<Vec<i32>>(),
            ))
        }
        _ => None,
    };
    move |j, x| match &blocks {
        Some((bits, len, fb)) => {
            let fb = fb[j / len];
            if *bits == 1 {
                crate::Format::Binary { f: fb }.quantize(x)
            } else {
                crate::Format::Fixed { w: *bits, f: fb }.quantize(x)
            }
        }
        None => format.quantize(x),
    }
}

/// GPTQ on one row: `u` is the upper Cholesky factor of the dampened `H⁻¹` (`n × n`, row-major). Columns are
/// rounded in order; each one's error, divided by `u[i][i]`, is taken off the later columns along `u[i][i+1..]`.
fn gptq_row(row: &[f32], u: &[f64], q: impl Fn(usize, f32) -> f32, out: &mut [f32]) {
    let n = row.len();
    let mut w: Vec<f64> = row.iter().map(|&x| x as f64).collect();
    for i in 0..n {
        let qi = q(i, w[i] as f32);
        out[i] = qi;
        let d = u[i * n + i];
        // A NaN or infinite weight is quantized as the format quantizes it (NaN → 0, ±inf → the extreme); its
        // "error" is not spread, so it cannot turn the rest of the row into NaN.
        if d > 0.0 && w[i].is_finite() && qi.is_finite() {
            let e = (w[i] - qi as f64) / d;
            for (wj, uij) in w[i + 1..].iter_mut().zip(&u[i * n + i + 1..(i + 1) * n]) {
                *wj -= e * uij;
            }
        }
    }
}

/// GPTQ rounding of a row-major tensor `w` (rows of `n` values) whose rows all multiply inputs with second moment
/// `h` (`n × n`, row-major, symmetric; only the upper triangle is read): element `j` is rounded by `q(j, x)`.
/// `None` when `h` is not positive definite even after dampening.
///
/// ```
/// use number_formats::Format;
/// use number_runtime::rounding;
/// // Two inputs that always move together: rounding one weight down is compensated on the other.
/// let h = [1.0, 1.0, 1.0, 1.0];
/// let f = Format::fixed(4, 0).unwrap();
/// let near: Vec<f32> = [0.4f32, 0.4].iter().map(|&x| f.quantize(x)).collect();
/// let g = rounding::gptq(&[0.4, 0.4], 2, &h, |_, x| f.quantize(x)).unwrap();
/// assert_eq!(near, [0.0, 0.0]); // output 0.0 instead of 0.8
/// assert_eq!(g, [0.0, 1.0]); // output 1.0
/// ```
pub fn gptq(w: &[f32], n: usize, h: &[f64], q: impl Fn(usize, f32) -> f32) -> Option<Vec<f32>> {
    let u = inverse_factor(h, n)?;
    let mut out = vec![0f32; w.len()];
    for (r, (row, o)) in w.chunks(n).zip(out.chunks_mut(n)).enumerate() {
        gptq_row(row, &u, |i, x| q(r * n + i, x), o);
    }
    Some(out)
}

/// The upper Cholesky factor `U` of `(H + λI)⁻¹ = UᵀU` (`λ` = [`DAMP`] × mean diagonal; inputs that were always
/// zero get diagonal 1), from the upper triangle of `h`.
fn inverse_factor(h: &[f64], n: usize) -> Option<Vec<f64>> {
    if n == 0 || h.len() != n * n {
        return None;
    }
    let mut a = vec![0f64; n * n];
    for i in 0..n {
        for j in i..n {
            a[i * n + j] = h[i * n + j];
            a[j * n + i] = h[i * n + j];
        }
    }
    let mean = (0..n).map(|i| a[i * n + i]).sum::<f64>() / n as f64;
    for i in 0..n {
        if a[i * n + i] <= 0.0 {
            a[i * n + i] = 1.0;
        }
        a[i * n + i] += DAMP * mean.max(f64::MIN_POSITIVE);
    }
    let l = cholesky(&a, n)?;
    // L⁻¹ (lower), then H⁻¹ = L⁻ᵀ L⁻¹.
    let mut li = vec![0f64; n * n];
    for j in 0..n {
        li[j * n + j] = 1.0 / l[j * n + j];
        for i in j + 1..n {
            let s: f64 = (j..i).map(|k| l[i * n + k] * li[k * n + j]).sum();
            li[i * n + j] = -s / l[i * n + i];
        }
    }
    let mut inv = vec![0f64; n * n];
    for i in 0..n {
        for j in i..n {
            // (L⁻ᵀ L⁻¹)[i][j] = Σ_k L⁻¹[k][i] L⁻¹[k][j], k ≥ max(i, j) = j.
            let s: f64 = (j..n).map(|k| li[k * n + i] * li[k * n + j]).sum();
            inv[i * n + j] = s;
            inv[j * n + i] = s;
        }
    }
    // Standard form: H⁻¹ = UᵀU with U upper is the transpose of the lower Cholesky factor L2 (H⁻¹ = L2 L2ᵀ).
    let l2 = cholesky(&inv, n)?;
    let mut u = vec![0f64; n * n];
    for i in 0..n {
        for j in i..n {
            u[i * n + j] = l2[j * n + i];
        }
    }
    Some(u)
}

/// Lower Cholesky factor of a symmetric positive definite `n × n` matrix; `None` if it is not.
fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0f64; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = a[i * n + i] - s;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i * n + i] = d.sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rounded_weights::{check_installed, install, substitute};

    /// Serialises the tests that use the global capture and install state.
    static GLOBAL: Mutex<()> = Mutex::new(());

    /// A small deterministic generator of values in [-1, 1).
    fn values(seed: u64, n: usize) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    /// Inputs with correlated components (what makes compensation pay): x = A z.
    fn inputs(samples: usize, n: usize) -> Vec<Vec<f32>> {
        let a = values(7, n * n);
        (0..samples)
            .map(|s| {
                let z = values(100 + s as u64, n);
                (0..n)
                    .map(|i| (0..n).map(|k| a[i * n + k] * z[k]).sum::<f32>() + 0.3 * z[i])
                    .collect()
            })
            .collect()
    }

    fn gram(xs: &[Vec<f32>]) -> Vec<f64> {
        let n = xs[0].len();
        let mut h = vec![0f64; n * n];
        for x in xs {
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += x[i] as f64 * x[j] as f64;
                }
            }
        }
        h
    }

    /// Σ over samples and rows of the squared output error (W − Q) x.
    fn output_error(w: &[f32], q: &[f32], n: usize, xs: &[Vec<f32>]) -> f64 {
        let mut e = 0.0;
        for (wr, qr) in w.chunks(n).zip(q.chunks(n)) {
            for x in xs {
                let d: f64 = wr
                    .iter()
                    .zip(qr)
                    .zip(x)
                    .map(|((a, b), x)| (*a as f64 - *b as f64) * *x as f64)
                    .sum();
                e += d * d;
            }
        }
        e
    }

    #[test]
    fn inverse_factor_is_the_upper_cholesky_factor_of_the_dampened_inverse() {
        let n = 12;
        let h = gram(&inputs(40, n));
        let u = inverse_factor(&h, n).unwrap();
        let mean = (0..n).map(|i| h[i * n + i]).sum::<f64>() / n as f64;
        // (UᵀU)(H + λI) = I.
        for i in 0..n {
            for j in 0..n {
                let mut s = 0.0;
                for k in 0..n {
                    let inv_ik: f64 = (0..n).map(|m| u[m * n + i] * u[m * n + k]).sum();
                    s += inv_ik * (h[k * n + j] + if k == j { DAMP * mean } else { 0.0 });
                }
                assert!(
                    (s - if i == j { 1.0 } else { 0.0 }).abs() < 1e-9,
                    "({i},{j}): {s}"
                );
            }
        }
        for i in 0..n {
            for j in 0..i {
                assert_eq!(u[i * n + j], 0.0);
            }
        }
    }

    #[test]
    fn gptq_stays_on_the_grid_and_lowers_the_output_error_of_rounding_to_nearest() {
        let (rows, n) = (16, 24);
        let xs = inputs(200, n);
        let h = gram(&xs);
        let w: Vec<f32> = values(3, rows * n).iter().map(|v| v * 0.5).collect();
        for fmt in [
            "fixed<2,2>",
            "fixed<3,3>",
            "fixed<4,4>",
            "binary<2>",
            "e2m1",
        ] {
            let f: Format = fmt.parse().unwrap();
            let near: Vec<f32> = w.iter().map(|&x| f.quantize(x)).collect();
            let g = gptq(&w, n, &h, |_, x| f.quantize(x)).unwrap();
            assert!(g.iter().all(|&v| f.quantize(v) == v), "{fmt}: off the grid");
            let (en, eg) = (
                output_error(&w, &near, n, &xs),
                output_error(&w, &g, n, &xs),
            );
            assert!(
                eg < 0.8 * en,
                "{fmt}: GPTQ output error {eg} vs nearest {en}"
            );
        }
    }

    #[test]
    fn non_finite_weights_round_like_the_format_and_leave_the_row_alone() {
        let n = 8;
        let h = gram(&inputs(50, n));
        let f: Format = "fixed<4,3>".parse().unwrap();
        let mut w: Vec<f32> = values(11, n).iter().map(|v| v * 0.5).collect();
        let clean = gptq(&w, n, &h, |_, x| f.quantize(x)).unwrap();
        w[2] = f32::NAN;
        w[5] = f32::INFINITY;
        let g = gptq(&w, n, &h, |_, x| f.quantize(x)).unwrap();
        assert_eq!((g[2], g[5]), (0.0, f.max()));
        assert!(
            g.iter().all(|v| v.is_finite() && f.quantize(*v) == *v),
            "{g:?}"
        );
        assert_eq!(g[..2], clean[..2]); // columns before the bad ones are untouched
        // Second moments with NaN (an input that was NaN): no factor, so the caller rounds to nearest.
        let mut bad = h.clone();
        bad[1] = f64::NAN;
        assert!(gptq(&w, n, &bad, |_, x| f.quantize(x)).is_none());
    }

    #[test]
    fn block_formats_round_each_element_on_its_blocks_grid() {
        let (rows, n) = (8, 32);
        let xs = inputs(100, n);
        let h = gram(&xs);
        // Rows of very different magnitudes, so that the blocks' binary points differ.
        let w: Vec<f32> = values(5, rows * n)
            .iter()
            .enumerate()
            .map(|(j, v)| v * 0.05 * (1 + j / n) as f32)
            .collect();
        let f: Format = "block<3,0,32>".parse().unwrap();
        let q = element_quantizer(f, &w);
        let g = gptq(&w, n, &h, &q).unwrap();
        let mut requant = g.clone();
        f.quantize_slice(&mut requant);
        let mut near = w.clone();
        f.quantize_slice(&mut near);
        // The blocks' binary points come from the trained values; requantizing keeps nearly every value.
        let kept = g.iter().zip(&requant).filter(|(a, b)| a == b).count();
        assert!(kept * 100 >= 95 * g.len(), "{kept} of {} kept", g.len());
        assert!(output_error(&w, &requant, n, &xs) < output_error(&w, &near, n, &xs));
    }

    #[test]
    fn capture_sums_shared_inputs_once_and_rows_with_their_own_inputs_per_row() {
        let _g = lock(&GLOBAL);
        start_capture();
        let x = [1.0f32, 2.0, 3.0];
        let (y, z) = ([1.0f32, 0.0, -1.0], [0.5f32, 0.5, 0.5]);
        // Slot 900: a dense layer (every row multiplies x). Slot 901: a depthwise layer (row 1 multiplies y).
        for start in [0, 3, 6] {
            record_dot(900, start, &x);
        }
        record_dot(901, 0, &z);
        record_dot(901, 3, &y);
        // Slot 902: rows of 3 read from index 2: not whole rows.
        record_dot(902, 0, &x);
        record_dot(902, 2, &y);
        // Slot 903: an input that was NaN.
        record_dot(903, 0, &[1.0, f32::NAN]);
        finish_capture();
        let g = lock(grams());
        let d = &g[&900];
        assert_eq!((d.n, d.rows.len()), (3, 0));
        assert_eq!(&d.shared[..3], &[1.0, 2.0, 3.0]); // upper triangle of x xᵀ, row 0
        assert_eq!(d.shared[4..6], [4.0, 6.0]);
        let dw = &g[&901];
        assert_eq!(dw.shared[0], 0.25);
        assert_eq!(dw.rows[&1][..3], [1.0, 0.0, -1.0]);
        assert!(
            g[&902]
                .unsupported
                .as_deref()
                .unwrap()
                .contains("row length could not be inferred")
        );
        assert!(g[&903].unsupported.as_deref().unwrap().contains("NaN"));
    }

    /// A 1-D convolution (`c` input channels, kernel `k`, padding `pad`, `l` positions, `rows` output channels)
    /// whose kernel loop is clipped at the padding, as segment reads of slot `seg`; and the same outputs read
    /// as whole rows of the zero-padded inputs, at slot `whole`. `t_outer`: positions in the outer loop.
    fn conv1d_reads(
        seg: u32,
        whole: u32,
        xs: &[Vec<f32>],
        (c, k, pad, rows): (usize, usize, usize, usize),
        t_outer: bool,
    ) {
        let n = c * k;
        for x in xs {
            let l = x.len() / c;
            let padded: Vec<Vec<f32>> = (0..l)
                .map(|t| {
                    (0..n)
                        .map(|j| {
                            let (ch, tap) = (j / k, j % k);
                            let i = (t + tap).checked_sub(pad).filter(|&i| i < l);
                            i.map_or(0.0, |i| x[ch * l + i])
                        })
                        .collect()
                })
                .collect();
            let mut order: Vec<(usize, usize)> = Vec::new();
            for a in 0..if t_outer { l } else { rows } {
                for b in 0..if t_outer { rows } else { l } {
                    order.push(if t_outer { (b, a) } else { (a, b) });
                }
            }
            for (o, t) in order {
                for ch in 0..c {
                    let lo = pad.saturating_sub(t);
                    let hi = k.min(l + pad - t);
                    if lo < hi {
                        record_dot(
                            seg,
                            o * n + ch * k + lo,
                            &x[ch * l + t + lo - pad..][..hi - lo],
                        );
                    }
                }
                record_dot(whole, o * n, &padded[t]);
            }
        }
    }

    #[test]
    fn clipped_convolution_reads_give_the_moments_of_the_zero_padded_rows() {
        let _g = lock(&GLOBAL);
        let xs: Vec<Vec<f32>> = (0..5).map(|s| values(40 + s, 2 * 7)).collect();
        start_capture();
        conv1d_reads(920, 921, &xs, (2, 3, 1, 4), false);
        conv1d_reads(922, 923, &xs, (2, 5, 2, 3), true);
        // Stride-like gaps and a kernel wider than the padding on one side only.
        conv1d_reads(924, 925, &xs, (1, 4, 3, 2), false);
        CAPTURE.store(false, Ordering::SeqCst);
        for g in lock(grams()).values_mut() {
            finish_segments(g);
        }
        let g = lock(grams());
        for (seg, whole, n) in [(920, 921, 6), (922, 923, 10), (924, 925, 4)] {
            let (s, w) = (&g[&seg], &g[&whole]);
            assert!(s.segmented && !w.segmented);
            assert_eq!(
                (s.unsupported.as_deref(), s.n, s.rows.len()),
                (None, n, 0),
                "{seg}"
            );
            assert_eq!(s.shared, w.shared, "{seg}");
        }
    }

    #[test]
    fn a_row_read_in_two_loops_gives_the_moments_of_the_joined_inputs() {
        let _g = lock(&GLOBAL);
        start_capture();
        let (i, h, rows) = (3, 2, 4);
        for s in 0..6 {
            let (x, st) = (values(60 + s, i), values(70 + s, h));
            let joined: Vec<f32> = x.iter().chain(&st).copied().collect();
            for o in 0..rows {
                // `[W_x | W_h]`: then the state part first, then the input part (either order).
                if s % 2 == 0 {
                    record_dot(930, o * (i + h), &x);
                    record_dot(930, o * (i + h) + i, &st);
                } else {
                    record_dot(930, o * (i + h) + i, &st);
                    record_dot(930, o * (i + h), &x);
                }
                record_dot(931, o * (i + h), &joined);
            }
        }
        CAPTURE.store(false, Ordering::SeqCst);
        for g in lock(grams()).values_mut() {
            finish_segments(g);
        }
        let g = lock(grams());
        assert_eq!((g[&930].n, g[&930].rows.len()), (5, 0));
        let (a, b) = (&g[&930].shared, &g[&931].shared);
        for (p, q) in a.iter().zip(b) {
            assert_eq!(p, q, "{a:?}\n{b:?}");
        }
    }

    #[test]
    fn pieces_of_rows_with_inputs_of_their_own_are_named_with_what_would_work() {
        let _g = lock(&GLOBAL);
        start_capture();
        // A clipped depthwise kernel: every row reads its own channel, so the row length cannot be told.
        let xs = values(80, 2 * 6);
        for o in 0..2 {
            for t in 0..6usize {
                let (lo, hi) = (1usize.saturating_sub(t), 3.min(6 + 1 - t));
                record_dot(940, o * 3 + lo, &xs[o * 6 + t + lo - 1..][..hi - lo]);
            }
        }
        finish_capture();
        let g = lock(grams());
        let why = g[&940].unsupported.as_deref().unwrap();
        assert!(
            why.contains("2 values from index 1") && why.contains("zero-pad"),
            "{why}"
        );
    }

    #[test]
    fn columns_capture_sums_every_lanes_column() {
        let _g = lock(&GLOBAL);
        start_capture();
        // Two taps × three lanes: columns (1, 4), (2, 5), (3, 6).
        let rows = [[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
        record_columns(910, 0, 2, 3, &|k| &rows[k][..]);
        CAPTURE.store(false, Ordering::SeqCst);
        let g = lock(grams());
        assert_eq!(g[&910].shared, vec![14.0, 32.0, 0.0, 77.0]);
    }

    #[test]
    fn installed_tensors_replace_their_trained_ones_and_stale_ones_are_named() {
        let _g = lock(&GLOBAL);
        let trained = [0.3f32, -0.7];
        let f: Format = "fixed<4,3>".parse().unwrap();
        let r = Rounded {
            key: content_key(&trained),
            format: f,
            values: vec![0.25, -0.75],
        };
        install(vec![("Fc1/dense.w".into(), r.clone())]);
        assert_eq!(substitute(&[0.3, -0.6], f), None);
        assert_eq!(substitute(&trained, Format::F32), Some(vec![0.25, -0.75]));
        assert_eq!(check_installed("tuned.safetensors"), Ok(()));
        // Loaded as another format: stale.
        install(vec![("Fc1/dense.w".into(), r.clone())]);
        substitute(&trained, "fixed<8,6>".parse().unwrap());
        let e = check_installed("tuned.safetensors").unwrap_err();
        assert!(
            e.contains("`Fc1/dense.w`") && e.contains("fixed<4,3>") && e.contains("re-run"),
            "{e}"
        );
        // Never loaded (the trained weights changed): stale.
        install(vec![("Fc1/dense.w".into(), r)]);
        let e = check_installed("tuned.safetensors").unwrap_err();
        assert!(e.contains("no loaded weight tensor"), "{e}");
        install(vec![]);
    }
}
