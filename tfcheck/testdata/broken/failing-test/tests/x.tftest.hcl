mock_provider "aws" {}

run "batch_size" {
  command = plan

  assert {
    condition     = aws_lambda_event_source_mapping.main.batch_size == 10
    error_message = "batch size must be 10"
  }
}
