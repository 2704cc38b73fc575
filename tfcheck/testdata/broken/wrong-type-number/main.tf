# Broken on purpose: batch_size is a number; a list is given.
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
  event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:q"
  function_name    = "fn"
  batch_size       = [10]
}
