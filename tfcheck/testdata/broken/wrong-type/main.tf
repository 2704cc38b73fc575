# Broken on purpose: function_response_types is a set of strings, not a string.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_lambda_event_source_mapping" "main" {
  event_source_arn        = "arn:aws:sqs:eu-west-1:123456789012:q"
  function_name           = "fn"
  function_response_types = "ReportBatchItemFailures"
}
