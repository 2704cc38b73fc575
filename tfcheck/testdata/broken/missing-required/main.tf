# Broken on purpose: aws_lambda_event_source_mapping needs function_name.
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
  batch_size       = 10
}
