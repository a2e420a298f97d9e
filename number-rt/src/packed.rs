//! Packed storage. (STUB)
/// W-bit values stored in W bits each.
#[derive(Clone, Debug, Default)]
pub struct Packed<T> {
    _t: core::marker::PhantomData<T>,
}
