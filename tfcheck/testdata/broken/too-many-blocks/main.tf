# Broken on purpose: scaling_config may appear at most once.
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

  scaling_config {
    maximum_concurrency = 2
  }

  scaling_config {
    maximum_concurrency = 3
  }
}
