//! The options of one tuning run: one typed struct, parsed from the command line by `cargo number tune` and by
//! a model's own `tune` command alike, validated in one place, and rendered back into the command that
//! regenerates a `tuned.rs` (its `// Regenerate:` header line), which `cargo number check` replays.
use super::{Granularity, WeightFormat, parse_granularities};
use std::fmt;
use std::str::FromStr;

/// A relative accuracy loss: `1%` or `0.01`, at least 0 and below 1. Displays as given.
#[derive(Clone, Debug, PartialEq)]
pub struct Loss {
    text: String,
    value: f64,
}

impl Loss {
    /// The loss as a fraction (`0.01` for `1%`).
    pub fn value(&self) -> f64 {
        self.value
    }
}

impl FromStr for Loss {
    type Err = String;
    fn from_str(s: &str) -> Result<Loss, String> {
        let t = s.trim();
        let (num, scale) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), 0.01),
            None => (t, 1.0),
        };
        let v: f64 = num.parse().map_err(|_| {
            format!("--max-loss `{s}`: expected a number or a percentage like `1%`")
        })?;
        let value = v * scale;
        if !(0.0..1.0).contains(&value) {
            return Err(format!(
                "--max-loss `{s}`: must be at least 0% and below 100%"
            ));
        }
        Ok(Loss {
            text: t.to_string(),
            value,
        })
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How many validation inputs confirm the search's choice: a share (`40%`) or a count (`2000`, `0` = none).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Holdout {
    /// This fraction of the validation inputs used.
    Fraction(f64),
    /// This many.
    Count(usize),
}

impl Holdout {
    /// Held-out inputs out of `n`, leaving at least one for the search.
    pub fn of(self, n: usize) -> usize {
        let k = match self {
            Holdout::Fraction(f) => (f * n as f64).round() as usize,
            Holdout::Count(k) => k,
        };
        k.min(n.saturating_sub(1))
    }
}

impl FromStr for Holdout {
    type Err = String;
    fn from_str(s: &str) -> Result<Holdout, String> {
        let t = s.trim();
        let bad = || {
            format!(
                "--confirm `{s}`: expected a share of the validation inputs below 100% (`40%`), a count, or 0"
            )
        };
        if let Some(p) = t.strip_suffix('%') {
            let v: f64 = p.trim().parse().map_err(|_| bad())?;
            if !(0.0..100.0).contains(&v) {
                return Err(bad());
            }
            return Ok(Holdout::Fraction(v / 100.0));
        }
        t.parse::<usize>().map(Holdout::Count).map_err(|_| bad())
    }
}

impl fmt::Display for Holdout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Holdout::Fraction(x) => write!(f, "{}%", x * 100.0),
            Holdout::Count(k) => write!(f, "{k}"),
        }
    }
}

/// Weight granularities the search may pick per site, written `tensor+rows+32`.
#[derive(Clone, Debug, PartialEq)]
pub struct Granularities(pub Vec<Granularity>);

impl FromStr for Granularities {
    type Err = String;
    fn from_str(s: &str) -> Result<Granularities, String> {
        parse_granularities(s).map(Granularities)
    }
}

impl fmt::Display for Granularities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&g.join("+"))
    }
}

/// Non-uniform weight formats the search may offer weight sites, written `pow2+codebook`, or `none` (the default).
#[derive(Clone, Debug, PartialEq)]
pub struct WeightFormats(pub Vec<WeightFormat>);

impl FromStr for WeightFormats {
    type Err = String;
    /// `none`, or `+`-separated [`WeightFormat`]s (`pow2`), in order, without repeats.
    ///
    /// ```
    /// use number_tune::tune::{WeightFormat, WeightFormats};
    /// assert_eq!("pow2".parse(), Ok(WeightFormats(vec![WeightFormat::Pow2])));
    /// assert_eq!("none".parse(), Ok(WeightFormats(vec![])));
    /// assert!("pow3".parse::<WeightFormats>().unwrap_err().contains("--weight-formats"));
    /// ```
    fn from_str(s: &str) -> Result<WeightFormats, String> {
        if s.trim() == "none" {
            return Ok(WeightFormats(vec![]));
        }
        let mut v: Vec<WeightFormat> = Vec::new();
        for part in s.split(['+', ',']) {
            let f: WeightFormat = part
                .parse()
                .map_err(|e| format!("--weight-formats `{s}`: {e}, or `none`"))?;
            if !v.contains(&f) {
                v.push(f);
            }
        }
        Ok(WeightFormats(v))
    }
}

impl fmt::Display for WeightFormats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let w: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&w.join("+"))
    }
}

/// Fixed-point widths tried for layer inputs (`8,10,12`), or none (`none`).
#[derive(Clone, Debug, PartialEq)]
pub struct Widths(pub Vec<u32>);

impl FromStr for Widths {
    type Err = String;
    fn from_str(s: &str) -> Result<Widths, String> {
        if s.trim() == "none" {
            return Ok(Widths(vec![]));
        }
        s.split(',')
            .map(|w| match w.trim().parse::<u32>() {
                Ok(v) if (1..=31).contains(&v) => Ok(v),
                _ => Err(format!(
                    "--integer-inputs `{s}`: expected widths 1..=31 separated by commas, or `none`"
                )),
            })
            .collect::<Result<_, _>>()
            .map(Widths)
    }
}

impl fmt::Display for Widths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let w: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&w.join(","))
    }
}

/// How weights are rounded onto their formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum WeightRounding {
    /// Each weight to the nearest value of its format.
    Nearest,
    /// GPTQ: each rounding error compensated on the row's later weights along the inputs' second moments.
    Gptq,
}

/// The options of a tuning run (besides which model and where files go).
///
/// ```
/// use number_tune::tune::TuneOptions;
/// let cmd = "cargo number tune lenet --max-loss 1% --max-evals 200 --margin-se 2 --paired --rounding gptq";
/// let (model, opts) = TuneOptions::from_command(cmd).unwrap();
/// assert_eq!((model.as_str(), opts.max_evals, opts.paired), ("lenet", Some(200), true));
/// assert_eq!(opts.command(&model), cmd);
/// ```
#[derive(Clone, Debug, PartialEq, clap::Args)]
pub struct TuneOptions {
    /// Largest relative accuracy loss allowed on the validation split, e.g. `1%` or `0.01`.
    #[arg(long, default_value = "1%", allow_hyphen_values = true)]
    pub max_loss: Loss,
    /// Validation inputs the tuner uses (default: the whole split).
    #[arg(long)]
    pub val: Option<usize>,
    /// Most evaluations the search may spend (default: until it converges).
    #[arg(long)]
    pub max_evals: Option<usize>,
    /// Raise the validation target by this many standard errors of the baseline accuracy (guards the test loss
    /// against the optimism of picking the best of many configurations on the same data); 0 = off.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub margin_se: f64,
    /// Make `--margin-se` a *paired* margin (`Tuner::run_paired`): a configuration is feasible when its accuracy
    /// minus that many standard errors of its paired difference from f32 meets the target — the test the
    /// confirmation applies on the held-out inputs.
    #[arg(long)]
    pub paired: bool,
    /// Weight granularities, `+`-separated: `tensor` (one format per tensor), `rows` (a binary point per output
    /// channel), a block length (`32`: MX-style blocks, `block<W,F,N>`); with several, the search picks one per
    /// site (`tensor+rows+32`).
    #[arg(long, alias = "block", default_value = "tensor")]
    pub granularity: Granularities,
    /// Non-uniform weight formats offered to weight sites besides fixed point, `+`-separated, or `none`:
    /// `pow2` (power-of-two weights `float<E,0,B>`, sign and exponent, zero included, at 2..=5 bits, where its
    /// estimated error is below the fixed-point candidate's of the same width), `codebook` (K-bit indices, K in
    /// 1..=4, into a per-tensor table of 2^K 8-bit values fitted to the weights, the table counted in the size).
    #[arg(long, default_value = "none")]
    pub weight_formats: WeightFormats,
    /// How weights are rounded onto their formats: `nearest`, or `gptq` (Hessian-aware; the rounded weights go to
    /// `tuned.safetensors` beside tuned.rs, which tuned builds load).
    #[arg(long, value_enum, default_value_t = WeightRounding::Nearest)]
    pub rounding: WeightRounding,
    /// Validation inputs held out from the search to confirm its choice (`40%` of them, a count, or `0` for
    /// none): the feasible configurations are re-measured on them in ascending size, and the first that keeps the
    /// tolerance there is written.
    #[arg(long, default_value = "40%")]
    pub confirm: Holdout,
    /// The confirmation's margin in standard errors of the paired accuracy difference from f32 on the held-out
    /// inputs: 2 keeps a configuration only if its loss is within the tolerance with ~97.7% one-sided confidence.
    #[arg(long, default_value_t = 2.0, allow_hyphen_values = true)]
    pub confirm_se: f64,
    /// Seed of the search.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Calibration inputs profiled (from the training split).
    #[arg(long, default_value_t = 2000)]
    pub calib: usize,
    /// Widths tried for fixed-point layer inputs before the search (integer inner products in the tuned build),
    /// or `none`.
    #[arg(long, default_value = "8,10,12")]
    pub integer_inputs: Widths,
    /// Calibration inputs whose layer inputs GPTQ's second moments are summed over.
    #[arg(long, default_value_t = 512)]
    pub gptq_inputs: usize,
}

impl Default for TuneOptions {
    fn default() -> TuneOptions {
        TuneOptions {
            max_loss: "1%".parse().expect("a valid loss"),
            val: None,
            max_evals: None,
            margin_se: 0.0,
            paired: false,
            granularity: Granularities(vec![Granularity::Tensor]),
            weight_formats: WeightFormats(vec![]),
            rounding: WeightRounding::Nearest,
            confirm: Holdout::Fraction(0.4),
            confirm_se: 2.0,
            seed: 0,
            calib: 2000,
            integer_inputs: Widths(vec![8, 10, 12]),
            gptq_inputs: 512,
        }
    }
}

/// `cargo number tune <model> <options>` (a zoo model) or `cargo number tune --example <name> <options>` (any
/// crate; also `--bin`), parsed by [`TuneOptions::from_command`].
#[derive(clap::Parser)]
#[command(no_binary_name = true)]
struct Recorded {
    #[arg(required_unless_present_any = ["example", "bin"], conflicts_with_all = ["example", "bin"])]
    model: Option<String>,
    #[arg(long, conflicts_with = "bin")]
    example: Option<String>,
    #[arg(long)]
    bin: Option<String>,
    #[command(flatten)]
    options: TuneOptions,
}

/// The words every recorded command starts with.
const COMMAND: &str = "cargo number tune";

impl TuneOptions {
    /// Checks the options that parse but cannot give a meaningful run; the error names the option and the fix.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.margin_se.is_finite() && self.margin_se >= 0.0) {
            return Err(format!(
                "--margin-se {}: expected a number of standard errors >= 0 (0 = off)",
                self.margin_se
            ));
        }
        if self.paired && self.margin_se == 0.0 {
            return Err("--paired makes --margin-se paired, but the margin is 0: give --margin-se Z (e.g. 2)".into());
        }
        if !(self.confirm_se.is_finite() && self.confirm_se >= 0.0) {
            return Err(format!(
                "--confirm-se {}: expected a number of standard errors >= 0",
                self.confirm_se
            ));
        }
        if self.max_evals == Some(0) {
            return Err(
                "--max-evals 0: the search needs at least one evaluation (omit it for no limit)"
                    .into(),
            );
        }
        if self.calib == 0 {
            return Err("--calib 0: profiling needs at least one calibration input".into());
        }
        if self.rounding == WeightRounding::Gptq && self.gptq_inputs == 0 {
            return Err(
                "--gptq-inputs 0: GPTQ needs the second moments of at least one calibration input"
                    .into(),
            );
        }
        if self.val == Some(0) {
            return Err(
                "--val 0: the tuner needs validation inputs (omit it to use the whole split)"
                    .into(),
            );
        }
        Ok(())
    }

    /// Checks that `search` validation inputs for the search and `held` for the confirmation can resolve the
    /// tolerance: with fewer than `⌈1 / max_loss⌉` inputs, one input's outcome moves the accuracy by more than the
    /// whole tolerance, so a pass or a fail there means nothing. The error says the minimum and the fix.
    ///
    /// ```
    /// use number_tune::tune::TuneOptions;
    /// let o = TuneOptions::default(); // --max-loss 1%
    /// assert!(o.check_sizes(3000, 2000).is_ok());
    /// assert!(o.check_sizes(60, 40).unwrap_err().contains("at least 100"));
    /// ```
    pub fn check_sizes(&self, search: usize, held: usize) -> Result<(), String> {
        let t = self.max_loss.value();
        let min = if t > 0.0 {
            (1.0 / t).ceil() as usize
        } else {
            1
        };
        let why = |n: usize| {
            format!(
                "one input moves the accuracy by 1/{n} = {:.3}%, more than the tolerance {}",
                100.0 / n.max(1) as f64,
                self.max_loss
            )
        };
        if search < min {
            return Err(format!(
                "the search would compare configurations on {search} validation inputs; a tolerance of {} needs at \
                 least {min} ({}): use more validation inputs (--val, and --confirm for the share held out) or a \
                 larger --max-loss",
                self.max_loss,
                why(search)
            ));
        }
        if held > 0 && held < min {
            return Err(format!(
                "the confirmation would use {held} held-out validation inputs; a tolerance of {} needs at least {min} \
                 ({}): use more validation inputs (--val), a larger --confirm share, or --confirm 0 to skip it",
                self.max_loss,
                why(held)
            ));
        }
        Ok(())
    }

    /// The options that differ from their defaults, as command-line arguments, in a fixed order
    /// (`--max-loss` always first): what a regenerate command records.
    pub fn args(&self) -> Vec<String> {
        let d = TuneOptions::default();
        let mut a = vec!["--max-loss".to_string(), self.max_loss.to_string()];
        let mut opt = |on: bool, name: &str, value: Option<String>| {
            if on {
                a.push(format!("--{name}"));
                a.extend(value);
            }
        };
        opt(self.val.is_some(), "val", self.val.map(|v| v.to_string()));
        opt(
            self.max_evals.is_some(),
            "max-evals",
            self.max_evals.map(|v| v.to_string()),
        );
        opt(
            self.margin_se != d.margin_se,
            "margin-se",
            Some(self.margin_se.to_string()),
        );
        opt(self.paired, "paired", None);
        opt(
            self.granularity != d.granularity,
            "granularity",
            Some(self.granularity.to_string()),
        );
        opt(
            self.weight_formats != d.weight_formats,
            "weight-formats",
            Some(self.weight_formats.to_string()),
        );
        opt(self.rounding != d.rounding, "rounding", Some("gptq".into()));
        opt(
            self.confirm != d.confirm,
            "confirm",
            Some(self.confirm.to_string()),
        );
        opt(
            self.confirm_se != d.confirm_se,
            "confirm-se",
            Some(self.confirm_se.to_string()),
        );
        opt(self.seed != d.seed, "seed", Some(self.seed.to_string()));
        opt(self.calib != d.calib, "calib", Some(self.calib.to_string()));
        opt(
            self.integer_inputs != d.integer_inputs,
            "integer-inputs",
            Some(self.integer_inputs.to_string()),
        );
        opt(
            self.gptq_inputs != d.gptq_inputs,
            "gptq-inputs",
            Some(self.gptq_inputs.to_string()),
        );
        a
    }

    /// The command that tunes `model` with these options: `cargo number tune <model> <args>` (`model` is a zoo
    /// model's name or `--example <name>` / `--bin <name>`).
    pub fn command(&self, model: &str) -> String {
        format!("{COMMAND} {model} {}", self.args().join(" "))
    }

    /// Parses a command written by [`command`](Self::command) (a `tuned.rs`'s `// Regenerate:` line) back into
    /// the target (a zoo model's name, or `--example <name>` / `--bin <name>`) and the options.
    pub fn from_command(command: &str) -> Result<(String, TuneOptions), String> {
        use clap::Parser;
        let rest = command.strip_prefix(COMMAND).ok_or_else(|| {
            format!("`{command}` is not a `{COMMAND}` command; regenerate the file with `{COMMAND} <model>`")
        })?;
        let r = Recorded::try_parse_from(rest.split_whitespace())
            .map_err(|e| format!("`{command}`: {}", e.render().to_string().trim()))?;
        r.options
            .validate()
            .map_err(|e| format!("`{command}`: {e}"))?;
        let target = match (r.model, r.example, r.bin) {
            (Some(m), _, _) => m,
            (_, Some(e), _) => format!("--example {e}"),
            (_, _, Some(b)) => format!("--bin {b}"),
            _ => unreachable!("clap requires one of them"),
        };
        Ok((target, r.options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_commands_round_trip() {
        for cmd in [
            "cargo number tune digits --max-loss 1% --max-evals 200 --margin-se 2 --paired --granularity tensor+rows+32 --rounding gptq",
            "cargo number tune digit_recognizer --max-loss 1% --val 2000 --max-evals 120 --margin-se 2 --paired --granularity tensor+rows+32 --rounding gptq",
            "cargo number tune lenet --max-loss 7%",
            "cargo number tune mlp --max-loss 1% --max-evals 200 --margin-se 2 --paired --granularity tensor+rows+32 --weight-formats pow2 --rounding gptq",
            "cargo number tune gru --max-loss 0.5% --confirm 0 --confirm-se 1.5 --seed 3 --calib 100 --integer-inputs none --gptq-inputs 64",
        ] {
            let (model, o) = TuneOptions::from_command(cmd).unwrap();
            assert_eq!(o.command(&model), cmd);
        }
        assert_eq!(
            TuneOptions::default().command("m"),
            "cargo number tune m --max-loss 1%"
        );
    }

    #[test]
    fn meaningless_options_are_named_errors() {
        for (args, what) in [
            ("m --margin-se -1", "--margin-se"),
            ("m --margin-se NaN", "--margin-se"),
            ("m --margin-se inf", "--margin-se"),
            ("m --paired", "--paired"),
            ("m --max-evals 0", "--max-evals 0"),
            ("m --val 0", "--val 0"),
            ("m --calib 0", "--calib 0"),
            ("m --rounding gptq --gptq-inputs 0", "--gptq-inputs 0"),
            ("m --max-loss 100%", "--max-loss"),
            ("m --max-loss -1%", "--max-loss"),
            ("m --confirm-se -3", "--confirm-se"),
            ("m --confirm 100%", "--confirm"),
            ("m --granularity rows+7x", "rows+7x"),
            ("m --weight-formats pow2+log", "--weight-formats `pow2+log`"),
            ("m --rounding stochastic", "stochastic"),
            ("m --frobnicate", "frobnicate"),
        ] {
            let e = TuneOptions::from_command(&format!("cargo number tune {args}")).unwrap_err();
            assert!(e.contains(what), "{args}: {e}");
        }
        assert!(
            TuneOptions::from_command("cargo run --example m")
                .unwrap_err()
                .contains("not a `cargo number tune`")
        );
    }
}
