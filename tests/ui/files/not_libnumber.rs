// Hand-written formats.
impl crate::dense::Formats for crate::Fc1 {
    type w = f32;
}
