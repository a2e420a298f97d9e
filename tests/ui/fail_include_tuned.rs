// include_tuned! checks the file in tuned builds: missing, not written by libnumber, malformed, an unknown type.
number_rt::include_tuned!("files/does_not_exist.rs", mode = "tuned");

number_rt::include_tuned!("files/not_libnumber.rs", mode = "tuned");

number_rt::include_tuned!("files/malformed.rs", mode = "tuned");

number_rt::include_tuned!("files/unknown_type.rs", mode = "tuned");

// In plain and calibrate builds it expands to nothing, whether or not the file exists.
number_rt::include_tuned!("files/does_not_exist.rs", mode = "plain");

fn main() {}
