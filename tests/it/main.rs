mod client;
mod customers;
