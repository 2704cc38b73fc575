// Package emulator runs a generated project's whole loop on one machine,
// with no AWS account: WebSocket clients → API Gateway WebSocket API →
// (AWS service integration, VTL request template) → SQS standard or FIFO →
// Lambda event source mapping → the project's own Go bootstrap → replies
// over the @connections management API.
//
// # Use
//
//	e, err := emulator.Start(ctx, emulator.Config{
//		RequestTemplate: string(vtlFile),      // api/sqs-request.vtl, as deployed
//		RequestModel:    modelJSON,            // api/request-model.json (optional)
//		FIFO:            true,
//		MaxReceiveCount: 5,
//		VisibilityTimeout: 180 * time.Second,
//		FunctionTimeout:   30 * time.Second,
//		ReportBatchItemFailures: true,
//		Function: emulator.FunctionSpec{Path: "build/bootstrap"},
//		Log:      os.Stderr,
//	})
//	defer e.Close()
//	fmt.Println(e.URL()) // ws://127.0.0.1:<port>/prod
//
// One HTTP listener, on a loopback address only, serves:
//   - ws://127.0.0.1:<port>/<stage> — the WebSocket API;
//   - http://127.0.0.1:<port>/<stage>/@connections/<url-encoded id> —
//     POST, GET and DELETE, given to the function as CALLBACK_ENDPOINT;
//   - POST http://127.0.0.1:<port>/ with X-Amz-Target — the connection
//     registry table (Broadcast), given as AWS_ENDPOINT_URL_DYNAMODB;
//   - http://127.0.0.1:<port>/_emulator/inspect — Inspect() as JSON:
//     connections, counters, queue and dead-letter queue contents.
//
// Each Lambda execution environment has its own Runtime API listener (see
// package lambdart). Close stops everything and waits for every goroutine
// it started; cancelling Start's ctx does the same.
//
// # What is faithful
//
// Gateway (package gateway): $connect before the handshake completes,
// $disconnect once for every way a connection ends (client close, idle
// timeout, 2-hour limit, DELETE @connections, oversize frame or message);
// route selection evaluated on messages only, with non-JSON or unmatched
// messages going to $default; JSON Schema draft-04 request validation
// answering {"message": "Bad request body", "connectionId":"…",
// "requestId":"…"} without calling the integration (AWS's developer guide
// shows this gateway response "similar to" a shape with messageId; the
// byte shape here is the one API Gateway sends for its other gateway
// responses such as "Forbidden" and "Internal server error", as recorded
// from real deployments); ids shaped like AWS's (16 characters of URL-safe
// base64 ending in '=', e.g. "L0SM9cOFvHcCIhw="), so a missing URL
// encoding shows; 128 KB messages and 32 KB frames (close 1009), idle and
// duration limits (close 1001). One-way routes send nothing back, even on
// an integration error; with Ack the SQS JSON response is rendered through
// the ack (2xx) or error template. A template that fails to render answers
// {"message": "Internal server error", ...}.
//
// Integration (packages vtl and sqs): the request template is rendered by
// a VTL engine with API Gateway's $input, $context and $util (urlEncode is
// java.net.URLEncoder, escapeJavaScript is Commons Lang's), then decoded
// exactly as SQS's query API decodes a form body and validated as SQS
// validates SendMessage. An unencoded '+' arrives as a space, an unencoded
// '&' splits the body, and an injected parameter is refused (SQS does not
// document duplicates or unknown parameters; refusing them is the choice
// that never hides an injection). The response is SQS's JSON
// SendMessageResponse or Error document.
//
// Queue (package sqs): FIFO group ordering with in-flight group locking,
// the five-minute deduplication window by id or body SHA-256, visibility
// timeout, ApproximateReceiveCount, redrive at MaxReceiveCount.
//
// Event source mapping (package esm): batch size and window, events in
// Lambda's SQS event shape, and the partial batch response rules of the
// Lambda developer guide. Checks Lambda makes when a mapping is created are
// made by Start: function timeout ≤ visibility timeout, FIFO batch ≤ 10 and
// no batching window on FIFO, batch > 10 needs a window of at least 1 s.
//
// Lambda (package lambdart): the real bootstrap as a separate process
// behind a Runtime API served here, with Lambda's reserved environment,
// CALLBACK_ENDPOINT, the function's own variables and dummy credentials; a
// timed-out invocation kills its process (the next one starts cold), as
// Lambda discards a timed-out sandbox. stdout and stderr go to the log.
//
// @connections: POST (≤ 128 KB, else 413 PayloadTooLargeException), GET
// (connectedAt, lastActiveAt, identity), DELETE (204, closes the socket and
// fires $disconnect); 410 GoneException for unknown or closed connections;
// 429 LimitExceededException when a slow client does not take a frame in
// time. Errors carry x-amzn-ErrorType and a JSON {"message": …} body, which
// is what the AWS SDK for Go v2 reads to build types.GoneException and the
// others.
//
// # What is simplified
//
// No authorizers, no IAM/SigV4 checks, no throttling (500 connects/s,
// 10,000 RPS, FIFO 300 TPS), one $default message route, no
// template_selection_expression (the one template is always used), no
// message retention expiry, no 6 MB batch split or FilterCriteria, no
// Lambda concurrency ramp or backoff after errors, no Lambda memory limit.
// Standard queues never duplicate or reorder. @connections frames are sent
// whole (AWS may split them into 32 KB frames). The idle timer counts client
// messages only. The registry item written on $connect is
// {connectionId: S, connectedAt: N (epoch ms)}.
//
// # Concurrency and performance
//
// FunctionSpec.Concurrency execution environments run batches at once (one
// bootstrap process each); ProjectConfig uses DefaultConcurrency, five,
// the number of concurrent batches Lambda starts an SQS event source
// mapping with. Lambda then scales up (and, on FIFO, is bounded by the
// number of active message groups); the emulator keeps the number fixed.
// The log is written by its own goroutine, so a slow terminal delays lines,
// not messages.
//
// Package loadtest and cmd/wsqload measure the whole loop with many
// clients; BenchmarkRoundTrip runs the same load on the golden projects:
//
//	go run ./emulator/cmd/wsqload -project golden/default -conns 1000 -rate 2000 -duration 20s -runs 3
//
// # Faults
//
// Config.Faults switches make the function fail, time out or report an item
// failure for chosen message bodies, make SendMessage fail, or drop a
// client just before a reply is posted to it. The switches act in the
// emulator, not in the function: a matching batch is answered on the
// function's behalf.
//
// # Log
//
// One line per event: connect, message, bad-request, enqueue,
// enqueue-failed, batch, invoke, function (the function's output),
// function-error, retry, dlq, reply, reply-gone, disconnect, fault. JSON
// writes one object per line; Quiet keeps only retries, dead letters,
// errors, faults and function output.
package emulator
