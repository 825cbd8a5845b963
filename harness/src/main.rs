fn main() { println!("mesh-harness: work in progress"); }
