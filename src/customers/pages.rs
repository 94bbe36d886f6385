//! The account's customers a page at a time, in order, with a few pages fetched ahead.

use std::collections::VecDeque;

use tokio::task::JoinHandle;

use crate::platform::{Client, Customer, ListPage, PlatformError};

/// Pages requested ahead of the one being handed out: enough to hide the latency of a
/// request, few enough that memory stays at a handful of pages.
const LOOKAHEAD: u32 = 4;

type PageTask = JoinHandle<Result<ListPage<Customer>, PlatformError>>;

/// Calls `each` with every page of customers, page 1 first.
///
/// Page 1 tells how many pages there are; the rest are fetched [`LOOKAHEAD`] at a time
/// while earlier ones are handled. Only the pages in flight are ever held.
/// Returns the number of customers the account reported on page 1.
pub async fn for_each_page<E: From<PlatformError>>(
    client: &Client,
    mut each: impl FnMut(Vec<Customer>) -> Result<(), E>,
) -> Result<u64, E> {
    let first = client.list_customers_page(1).await?;
    let (total, total_pages) = (first.results, first.total_pages);
    each(first.items)?;

    let mut in_flight: VecDeque<PageTask> = VecDeque::new();
    let result = fetch_rest(client, total_pages, &mut in_flight, &mut each).await;
    // On an error, the pages still in flight are of no use to anyone.
    for task in in_flight {
        task.abort();
    }
    result.map(|()| total)
}

async fn fetch_rest<E: From<PlatformError>>(
    client: &Client,
    total_pages: u32,
    in_flight: &mut VecDeque<PageTask>,
    each: &mut impl FnMut(Vec<Customer>) -> Result<(), E>,
) -> Result<(), E> {
    let mut next = 2;
    loop {
        while next <= total_pages && in_flight.len() < LOOKAHEAD as usize {
            let client = client.clone();
            let page = next;
            in_flight
                .push_back(tokio::spawn(async move { client.list_customers_page(page).await }));
            next += 1;
        }
        let Some(task) = in_flight.pop_front() else { break };
        match task.await {
            Ok(page) => each(page?.items)?,
            // A page task only fails to join when the runtime shuts down; nothing is left
            // to hand the page to.
            Err(_) => break,
        }
    }
    Ok(())
}
