"""What the two HTTP bridges (WPPConnect Server, Evolution API) share: the request client
and helpers (`client.py`) and the webhook events' common shape (`events.py`)."""
