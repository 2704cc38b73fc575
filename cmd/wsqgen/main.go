// Command wsqgen generates production-grade projects for the pattern
// WebSocket clients → API Gateway WebSocket API → SQS → Go Lambda → reply
// over @connections. Run `wsqgen --help` for the manual.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], systemStreams())) }
