// Package lambdart runs a Lambda function locally the way the provided.al2023
// runtime does: the function's own bootstrap executable, as a separate
// process, talking to a Lambda Runtime API (2018-06-01) served here.
//
// Each execution environment has its own Runtime API server on a 127.0.0.1
// port, given to the process as AWS_LAMBDA_RUNTIME_API. The server
// implements GET /runtime/invocation/next (with Lambda-Runtime-Aws-Request-Id,
// Lambda-Runtime-Deadline-Ms, Lambda-Runtime-Invoked-Function-Arn and
// Lambda-Runtime-Trace-Id), POST /runtime/invocation/{id}/response (up to
// 6 MB), POST /runtime/invocation/{id}/error and POST /runtime/init/error.
// An answer for an id that is not the invocation in progress gets 400
// InvalidRequestID.
//
// The process sees Lambda's reserved environment variables
// (AWS_LAMBDA_FUNCTION_NAME, AWS_REGION, _HANDLER, ...), dummy credentials
// and the function's configured variables; nothing is inherited from the
// emulator's own environment. Its stdout and stderr are forwarded line by
// line.
//
// Timeouts: an invocation that passes its deadline fails with
// Sandbox.Timedout and its process is killed; Lambda likewise discards a
// timed-out execution environment, so the next invocation is a cold start.
// A crash (process exit) fails the running invocation with
// Runtime.ExitError; an /init/error fails it with the posted error; both
// restart the process on the next invocation. Memory limits, freezing
// between invocations and the Extensions/Telemetry APIs are not modelled.
package lambdart
