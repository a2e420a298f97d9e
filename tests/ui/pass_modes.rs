// Functions and impl blocks that compile in every mode, and a good tuned.rs included with include_tuned!.
use number_rt::quantize;

number_rt::instances!(Fc1);

#[quantize(weights(g), mode = "tuned")]
pub fn scale<L>(g: &[f32], x: &[f32], y: &mut [f32]) {
    for i in 0..y.len() {
        y[i] = g[i] * x[i];
    }
}

number_rt::include_tuned!("files/good_tuned.rs", mode = "tuned");

#[quantize(weights(w), mode = "plain")]
pub fn plain<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    y[0] = w[0] * x[0];
}

#[quantize(weights(w), mode = "calibrate")]
pub fn calibrate<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    y[0] = w[0] * x[0];
}

pub struct Gain<L> {
    pub k: f32,
    _l: core::marker::PhantomData<L>,
}

#[quantize(mode = "calibrate")]
impl<L> Gain<L> {
    pub fn new(k: f32) -> Self {
        Gain { k, _l: core::marker::PhantomData }
    }
    #[quantize(weights(g))]
    pub fn forward(&self, g: &[f32], x: &[f32], y: &mut [f32]) -> f32 {
        let mut s = 0.0;
        for i in 0..y.len() {
            y[i] = g[i] * x[i] * self.k;
            s += y[i];
        }
        s
    }
}

fn main() {
    let g: Vec<scale::g<Fc1>> = vec![2.0; 3];
    let mut y = [0.0f32; 3];
    scale::<Fc1>(&g, &[1.0, 2.0, 3.0], &mut y);
    assert_eq!(y, [2.0, 4.0, 6.0]);
    let w: Vec<plain::w<Fc1>> = vec![3.0];
    plain::<Fc1>(&w, &[2.0], &mut y);
    calibrate::<Fc1>(&w, &[2.0], &mut y);
    let s = Gain::<Fc1>::new(1.0).forward(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0], &mut y);
    assert_eq!(s, 6.0);
    let _ = gain_forward::FINGERPRINT;
}
