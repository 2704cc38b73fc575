# Runs with no AWS account: the provider is mocked, the plan is checked.
mock_provider "aws" {}

run "queue_and_mapping" {
  command = plan

  assert {
    condition     = aws_sqs_queue.main.fifo_queue && aws_sqs_queue.main.content_based_deduplication
    error_message = "the main queue must be FIFO with content-based deduplication"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.main.batch_size == 10
    error_message = "batch size must default to 10"
  }

  assert {
    condition     = contains(aws_lambda_event_source_mapping.main.function_response_types, "ReportBatchItemFailures")
    error_message = "the mapping must report batch item failures"
  }
}

run "batch_size_variable" {
  command = plan

  variables {
    batch_size = 3
  }

  assert {
    condition     = aws_lambda_event_source_mapping.main.batch_size == 3
    error_message = "batch size must follow var.batch_size"
  }
}
